"""Many plans x what-if scenarios at once, as tasks on Dask distributed: the sweep's file (``spec``), one
task (``task``: the function ``peakplan plan`` runs, into ``OUT/<shop>/<scenario>/``), running them
(``run``) and the comparison (``outputs``: ``sweep.csv``, ``sweep.xlsx``, ``index.html``)."""

from scheduler.sweep.run import SweepResult, make_tasks, run_sweep
from scheduler.sweep.spec import BASE, Sweep, read_sweep, with_options
from scheduler.sweep.task import Task, finished_row, run_task

__all__ = ["BASE", "Sweep", "SweepResult", "Task", "finished_row", "make_tasks", "read_sweep", "run_sweep", "run_task",
           "with_options"]
