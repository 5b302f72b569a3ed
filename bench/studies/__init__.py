"""Studies over finished grids: the regime contrast, the Optuna sweep, thresholds and the challenge winners'
tricks. Each is a command's body; the grid machinery they use (cells, workers, store, tables) is bench.grid."""
