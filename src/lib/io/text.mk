# src/lib/io/text.mk -- text formats: streams, Matrix Market / 10x directories, delimited tables.
