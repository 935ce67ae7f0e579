"""``python -m scheduler.cli``: the command line."""

from scheduler.cli import main

if __name__ == "__main__":
    main()
