"""Performance: throughput and memory of the shared train step (``speed``), the GPU check and its
diagnostics (``gpu_check``, ``gpu_diagnose``)."""
