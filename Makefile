# The course's commands.  Every target bootstraps .venv from requirements.txt
# when it is missing, so a fresh clone needs only Python 3.11 and make.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(abspath $(VENV)/bin)
# nbgrader calls alembic, and notebooks start kernels: the venv's bin comes first.
export PATH := $(BIN):$(PATH)
# Idle OpenMP threads sleep instead of spinning: on a shared or loaded CPU (CI runs notebooks
# beside sandboxed grading) spinning threads slow small PyTorch models down many times over.
export OMP_WAIT_POLICY := PASSIVE
CHAPTERS := $(notdir $(wildcard solutions/ch*))
PYTEST_WORKERS ?= 2
# Where `make publish` pushes the gh-pages branch: a remote name or a repository URL/path.
PUBLISH_REMOTE ?= origin

.PHONY: help venv book book-instructor publish assignments results results-full test clean

help:
	@echo "make book             build the student site into _build/html"
	@echo "make book-instructor  build the site with executed solutions into _build/instructor"
	@echo "make publish          build the student site and push it to the gh-pages branch of PUBLISH_REMOTE"
	@echo "make assignments      regenerate assignments/ from solutions/ (nbgrader generate_assignment)"
	@echo "make results          run every solution notebook at ATTNCOURSE_SCALE and record results/"
	@echo "make results-full     on a GPU machine: every notebook at full scale, as plain Python (FULL_ARGS=--list ...)"
	@echo "make test             the whole test suite (CHAPTER=chNN_name: one chapter's notebooks, bank and checks)"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -r requirements.txt
	# Instructors' venv only: makes autograder/ importable from the solution notebooks.
	$(BIN)/python -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'course-root.pth').write_text('$(CURDIR)\n')"
	touch $@

book: venv
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going --builder html

# ghp-import, as the Jupyter Book documentation recommends: the built site becomes the only
# commit of the gh-pages branch (no history, so the repository does not grow with every build).
publish: book
	$(BIN)/ghp-import --no-jekyll --push --force --no-history --remote $(PUBLISH_REMOTE) \
		--message "Publish the course site from $$(git rev-parse --short HEAD)" _build/html

book-instructor: venv
	$(BIN)/python tools/build_instructor_book.py

assignments: venv
	for ch in $(CHAPTERS); do $(BIN)/nbgrader generate_assignment $$ch --force --log-level=WARN || exit 1; done
	rm -f gradebook.db

results: venv
	$(BIN)/python tools/record_results.py

# On a GPU machine: its own Python and PyTorch (2.11 or later), no venv, no Jupyter, no package registry
# needed.  FULL_ARGS passes options, e.g. FULL_ARGS="--chapter ch04_bert" or "--list" (see tools/run_full.py).
results-full:
	python3 tools/run_full.py $(FULL_ARGS)

# CHAPTER=ch02_self_attention: only that chapter's notebooks, bank, checks, data and sync tests.
test: venv
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(if $(CHAPTER),--chapter $(CHAPTER))

clean:
	rm -rf _build grading gradebook.db
