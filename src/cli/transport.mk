# src/cli/transport.mk -- scuot-transport and scuot-interpolate.
