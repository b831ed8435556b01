# Shortcuts for those who have make; tasks.py does the work and needs only Python 3.11+.
PYTHON ?= python3

.PHONY: run chat test lint types format messages check-catalog bench relevance
run chat test lint types format messages check-catalog bench relevance:
	@$(PYTHON) tasks.py $@
