# src/lib/kern/local.mk -- kern module: Gaussian kernels, random Fourier features, MMD.
