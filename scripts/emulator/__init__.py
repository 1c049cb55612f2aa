"""The project's embedded AWS emulator: moto server plus small, documented extensions."""
