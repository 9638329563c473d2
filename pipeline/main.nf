#!/usr/bin/env nextflow
// pipeline/main.nf -- scuot as a Nextflow DSL2 pipeline: the graph of pipeline/Snakefile (ingest, normalize,
// local PCA per pair, transport per method and pair, rank per consecutive pair, leave-one-day-out
// interpolation and scoring per held-out day, evaluation table, HTML report), one process per stage.
// Resources by label (nextflow.config); outputs published under params.outdir; each process writes a
// versions.yml as nf-core modules do.  Not run in CI here (Nextflow is not packaged in Debian): see README.
//
//   nextflow run pipeline/main.nf --counts data/example/counts.h5ad --cell_days data/example/cell_days.tsv \
//       --days 0,2,4,6,8 --methods uot,emd
nextflow.enable.dsl = 2

def exe(String stage) { params.bin_dir ? "${params.bin_dir}/scuot-${stage}" : "scuot-${stage}" }
def lab(d) { def v = d as BigDecimal; v.stripTrailingZeros().toPlainString() }

// ---- validation before any process starts ----
def methods = params.methods.toString().tokenize(',')*.trim()
def known = [exe('transport'), '--list-methods'].execute()
known.waitFor()
if (known.exitValue() != 0)
    error "scuot pipeline: cannot run '${exe('transport')} --list-methods'; put scuot on PATH or set --bin_dir"
def knownMethods = known.text.readLines().findAll { it.trim() }.collect { it.tokenize('\t')[0] }
methods.each { m ->
    if (!(m in knownMethods))
        error "scuot pipeline: unknown method '${m}'; scuot-transport knows: ${knownMethods.join(', ')}"
}
def dataDays = []
if (params.cell_days) {
    def lines = file(params.cell_days).readLines()
    def head = lines[0].tokenize('\t')
    def k = head.indexOf('day')
    if (k < 0)
        error "scuot pipeline: ${params.cell_days}: no 'day' column in the header"
    dataDays = lines.drop(1).findAll { it.trim() }.collect { it.split('\t', -1)[k] }
        .findAll { it && it != 'NA' }.collect { it as BigDecimal }.unique().sort()
}
def days = params.days ? params.days.toString().tokenize(',').collect { it as BigDecimal }.sort() : dataDays
if (!days)
    error "scuot pipeline: no days: give --cell_days or --days"
days.each { d ->
    if (dataDays && !(dataDays.any { it.compareTo(d) == 0 }))
        error "scuot pipeline: day ${lab(d)} is not in the data (days present: ${dataDays.collect { lab(it) }.join(', ')})"
}
def held = params.heldout ? params.heldout.toString().tokenize(',').collect { it as BigDecimal } : (days.size() > 2 ? days[1..-2] : [])
held.each { h ->
    def i = days.findIndexOf { it.compareTo(h) == 0 }
    if (i <= 0 || i >= days.size() - 1)
        error "scuot pipeline: held-out day ${lab(h)} is not an interior day of ${days.collect { lab(it) }.join(', ')}"
}
def D = days.collect { lab(it) }
def PAIRS = (0..<(D.size() - 1)).collect { [D[it], D[it + 1]] }
def LODO = held.collect { h -> def i = days.findIndexOf { it.compareTo(h) == 0 }; [D[i - 1], lab(h), D[i + 1]] }

process INGEST {
    label 'scuot_small'
    publishDir "${params.outdir}", mode: 'copy'
    input:
    path counts
    path cell_days
    output:
    path 'cells.h5ad', emit: h5ad
    path 'versions.yml', emit: versions
    path '*.log', emit: log
    script:
    def d = cell_days.name != 'NO_FILE' ? "-d ${cell_days}" : ''
    """
    ${exe('ingest')} ${counts} ${d} --keep-days ${D.join(',')} --threads ${task.cpus} -o cells.h5ad 2> ingest.log
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        scuot: \$(${exe('ingest')} --version | head -1 | sed 's/^scuot //')
    END_VERSIONS
    """
}

process NORMALIZE {
    label 'scuot_small'
    publishDir "${params.outdir}", mode: 'copy'
    input:
    path cells
    output:
    path 'norm.h5ad', emit: h5ad
    path 'versions.yml', emit: versions
    path '*.log', emit: log
    script:
    """
    ${exe('normalize')} ${cells} --n-top-genes ${params.n_top_genes} --threads ${task.cpus} -o norm.h5ad 2> normalize.log
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        scuot: \$(${exe('normalize')} --version | head -1 | sed 's/^scuot //')
    END_VERSIONS
    """
}

process PCA {
    tag "${a}_${b}"
    label 'scuot_small'
    publishDir "${params.outdir}/pca", mode: 'copy'
    input:
    tuple val(a), val(b), path(norm)
    output:
    tuple val(a), val(b), path("pca_${a}_${b}.h5ad"), emit: h5ad
    path 'versions.yml', emit: versions
    path '*.log', emit: log
    script:
    """
    ${exe('pca')} ${norm} -k ${params.pcs} --fit-days ${a},${b} --seed ${params.seed} --threads ${task.cpus} \\
        -o pca_${a}_${b}.h5ad 2> pca_${a}_${b}.log
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        scuot: \$(${exe('pca')} --version | head -1 | sed 's/^scuot //')
    END_VERSIONS
    """
}

process TRANSPORT {
    tag "${method}_${a}_${b}"
    label 'scuot_transport'
    publishDir "${params.outdir}/transport", mode: 'copy'
    input:
    tuple val(method), val(a), val(b), path(pca)
    output:
    tuple val(method), val(a), val(b), path("${method}_${a}_${b}.h5"), emit: result
    tuple val(method), val(a), val(b), path("${method}_${a}_${b}.log"), emit: log
    path 'versions.yml', emit: versions
    script:
    def opts = params.method_options instanceof Map ? (params.method_options[method] ?: '') : ''
    def mem = task.memory ? "--max-memory ${task.memory.toMega()}M" : ''
    """
    ${exe('transport')} --method ${method} --from ${a} --to ${b} ${opts} --seed ${params.seed} \\
        --threads ${task.cpus} ${mem} ${pca} -o ${method}_${a}_${b}.h5 2> ${method}_${a}_${b}.log
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        scuot: \$(${exe('transport')} --version | head -1 | sed 's/^scuot //')
    END_VERSIONS
    """
}

process INTERPOLATE {
    tag "${method}_${a}_${t}_${b}"
    label 'scuot_small'
    publishDir "${params.outdir}/lodo", mode: 'copy'
    input:
    tuple val(method), val(a), val(t), val(b), path(result)
    output:
    tuple val(a), val(t), val(b), val(method), path("${method}_${a}_${t}_${b}.h5ad"), emit: h5ad
    tuple val(method), val(a), val(t), val(b), path("${method}_${a}_${t}_${b}.log"), emit: log
    path 'versions.yml', emit: versions
    script:
    """
    ${exe('interpolate')} --at ${t} -n ${params.interpolate_points} --seed ${params.seed} --threads ${task.cpus} \\
        ${result} -o ${method}_${a}_${t}_${b}.h5ad 2> ${method}_${a}_${t}_${b}.log
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        scuot: \$(${exe('interpolate')} --version | head -1 | sed 's/^scuot //')
    END_VERSIONS
    """
}

process SCORE {
    tag "${a}_${t}_${b}"
    label 'scuot_small'
    publishDir "${params.outdir}/lodo", mode: 'copy'
    input:
    tuple val(a), val(t), val(b), val(names), path(preds), path(truth)
    output:
    tuple val(a), val(t), val(b), path("scores_${a}_${t}_${b}.tsv"), emit: tsv
    path "scores_${a}_${t}_${b}.json", emit: json
    path '*.log', emit: log
    path 'versions.yml', emit: versions
    script:
    def nm = names.collect { "--name ${it}" }.join(' ')
    """
    ${exe('score')} --truth ${truth} --from ${a} --at ${t} --to ${b} --metrics ${params.score_metrics} ${nm} \\
        --seed ${params.seed} --threads ${task.cpus} ${preds.join(' ')} -o scores_${a}_${t}_${b}.tsv \\
        --json scores_${a}_${t}_${b}.json 2> scores_${a}_${t}_${b}.log
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        scuot: \$(${exe('score')} --version | head -1 | sed 's/^scuot //')
    END_VERSIONS
    """
}

process RANK {
    tag "${a}_${b}"
    label 'scuot_small'
    publishDir "${params.outdir}/rank", mode: 'copy'
    input:
    tuple val(a), val(b), path(results), path(norm)
    output:
    path "genes_${a}_${b}.tsv", emit: genes
    path "cells_${a}_${b}.tsv", emit: cells
    path "spearman_${a}_${b}.tsv", optional: true, emit: spearman
    path '*.log', emit: log
    path 'versions.yml', emit: versions
    script:
    def annot = params.annotate ? "--annotate ${params.annotate}" : ''
    def cmp = results.size() > 1 ? "--compare spearman_${a}_${b}.tsv" : ''
    """
    ${exe('rank')} ${results.join(' ')} --expr ${norm} ${annot} --top-fraction ${params.top_fraction} ${cmp} \\
        --threads ${task.cpus} -o cells_${a}_${b}.tsv --genes genes_${a}_${b}.tsv 2> rank_${a}_${b}.log
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        scuot: \$(${exe('rank')} --version | head -1 | sed 's/^scuot //')
    END_VERSIONS
    """
}

process EVALUATION {
    label 'scuot_small'
    publishDir "${params.report_dir}", mode: 'copy'
    input:
    val scores   // [a, t, b, path]
    val logs     // [stage, method, a, b, path]
    output:
    path 'evaluation.tsv', emit: tsv
    path 'versions.yml', emit: versions
    script:
    def s = scores.collect { "--scores ${it[0]},${it[1]},${it[2]}=${it[3]}" }.join(' ')
    def l = logs.collect { "--log ${it[0]},${it[1]},${it[2]},${it[3]}=${it[4]}" }.join(' ')
    """
    scuot_evaluation.py ${s} ${l} -o evaluation.tsv
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        python: \$(python3 --version | sed 's/Python //')
    END_VERSIONS
    """
}

process REPORT {
    label 'scuot_small'
    publishDir "${params.report_dir}", mode: 'copy'
    input:
    val heldout  // [a, t, b, scores, truth, [preds]]
    path results
    path genes
    path evaluation
    output:
    path 'report.html', emit: html
    path 'versions.yml', emit: versions
    path '*.log', emit: log
    script:
    def h = heldout.collect { x -> "--heldout ${x[0]},${x[1]},${x[2]} --scores ${x[3]} --truth ${x[4]} " +
        x[5].collect { "--pred ${it}" }.join(' ') }.join(' ')
    """
    ${exe('report')} ${h} ${results.collect { "--result ${it}" }.join(' ')} \\
        ${genes.collect { "--genes ${it}" }.join(' ')} --evaluation ${evaluation} \\
        --meta 'methods=${methods.join(',')}' --meta 'days=${D.join(',')}' --meta 'seed=${params.seed}' \\
        -o report.html 2> report.log
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        scuot: \$(${exe('report')} --version | head -1 | sed 's/^scuot //')
    END_VERSIONS
    """
}

workflow {
    def noDays = file("${projectDir}/assets/NO_FILE", checkIfExists: false)
    INGEST(file(params.counts, checkIfExists: true),
           params.cell_days ? file(params.cell_days, checkIfExists: true) : noDays)
    NORMALIZE(INGEST.out.h5ad)
    norm = NORMALIZE.out.h5ad

    // local PCA for every consecutive pair and every leave-one-out pair (D-, D+)
    fitPairs = (PAIRS + LODO.collect { [it[0], it[2]] }).unique()
    PCA(Channel.fromList(fitPairs).combine(norm))
    pcas = PCA.out.h5ad   // [a, b, pca]

    TRANSPORT(Channel.fromList(methods).combine(pcas))   // [method, a, b, pca]
    results = TRANSPORT.out.result                        // [method, a, b, h5]

    // rank: the methods of each consecutive pair together
    consecutive = results.filter { m, a, b, h5 -> [a, b] in PAIRS }
    RANK(consecutive.map { m, a, b, h5 -> [[a, b], h5] }.groupTuple(size: methods.size())
        .map { ab, h5s -> [ab[0], ab[1], h5s] }.combine(norm))

    // leave one day out: interpolate each method at the held-out day, score them together
    lodoKeys = Channel.fromList(LODO)   // [a, t, b]
    toInterp = results.map { m, a, b, h5 -> [[a, b], m, h5] }
        .combine(lodoKeys.map { a, t, b -> [[a, b], t] }, by: 0)
        .map { ab, m, h5, t -> [m, ab[0], t, ab[1], h5] }
    INTERPOLATE(toInterp)
    preds = INTERPOLATE.out.h5ad.map { a, t, b, m, h5ad -> [[a, b], t, m, h5ad] }
        .groupTuple(by: [0, 1], size: methods.size())
        .combine(pcas.map { a, b, p -> [[a, b], p] }, by: 0)
        .map { ab, t, ms, h5ads, truth -> [ab[0], t, ab[1], ms, h5ads, truth] }
    SCORE(preds)

    scoreList = SCORE.out.tsv.map { a, t, b, tsv -> [a, t, b, tsv] }.toList()
    logList = TRANSPORT.out.log.filter { m, a, b, log -> LODO.any { it[0] == a && it[2] == b } }
        .map { m, a, b, log -> ['transport', m, a, b, log] }
        .mix(INTERPOLATE.out.log.map { m, a, t, b, log -> ['interpolate', m, a, b, log] })
        .toList()
    EVALUATION(scoreList, logList)

    heldout = preds.map { a, t, b, ms, h5ads, truth -> [[a, t, b], truth, h5ads] }
        .join(SCORE.out.tsv.map { a, t, b, tsv -> [[a, t, b], tsv] })
        .map { k, truth, h5ads, tsv -> [k[0], k[1], k[2], tsv, truth, h5ads] }
        .toList()
    REPORT(heldout,
           consecutive.map { m, a, b, h5 -> h5 }.collect(),
           RANK.out.genes.collect(),
           EVALUATION.out.tsv)
}
