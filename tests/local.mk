# tests/local.mk -- command-line and interop tests (unit tests are declared beside their modules).
