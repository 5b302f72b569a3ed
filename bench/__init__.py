"""bench: drives the landslide library through declarative grids, a resumable results store
(Optuna storage), an Optuna sweeper and reports (tables and figures)."""
