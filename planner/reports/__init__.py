"""Reports: charts and exports built from a programme's plan (the Gantt chart lives in gantt.py)."""
