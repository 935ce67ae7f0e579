"""The ``peakplan`` entry point: a Ctrl-C while the libraries load, or in any command without a
finer handler (``scheduler.interrupt`` is ``plan``'s), ends quietly with exit code 130."""

import sys

EXIT_CODE = 130  # 128 + SIGINT, as the shell reports a command ended by Ctrl-C


def main() -> None:
    try:
        from scheduler.cli import main as cli

        cli()
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrupted (Ctrl-C): nothing written\n")
        sys.exit(EXIT_CODE)


if __name__ == "__main__":
    main()
