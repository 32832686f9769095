"""Developer tools: the dev server runner, token minting, seeding and benchmarks."""
