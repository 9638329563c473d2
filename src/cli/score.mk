# src/cli/score.mk -- scuot-score.
