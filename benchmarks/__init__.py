"""Benchmarks of sigworkbook against bare Voila: page readiness, memory, start-up, saves, exports."""
