"""What the CS lead publishes and reads: the roster workbook, the report page, the charts, the
calendars, all in the plan's language (``[plan] language``, zh or en).

Takes: a finished run's frames (roster, assignments, coverage, gaps, simulation, forecast) and
its summary. Returns: the bytes of ``roster.xlsx``, ``report.html`` and ``calendars/*.ics``,
and matplotlib figures.
"""
