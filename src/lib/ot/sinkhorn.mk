# src/lib/ot/sinkhorn.mk -- Sinkhorn, unbalanced Sinkhorn and static WFR couplings, tests and benchmark.
