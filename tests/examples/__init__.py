"""End-to-end tests of the projects under examples/."""
