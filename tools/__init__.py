"""Developer tools (not shipped): generators run by make targets."""
