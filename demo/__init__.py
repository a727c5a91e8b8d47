"""Demo data: the brochure's example, generated guarantees for benchmarks and the demo rate table."""
