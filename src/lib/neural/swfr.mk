# src/lib/neural/swfr.mk -- the swfr method (learned spherical-WFR geodesics, UOT-gen) in the neural module.
