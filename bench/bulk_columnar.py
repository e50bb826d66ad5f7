"""A facts CSV as the columnar JSON body of a bulk write (docs/api.md):
python3 bench/bulk_columnar.py facts.csv > cells.json"""
import csv
import json
import sys

with open(sys.argv[1], newline="") as f:
    rows = csv.reader(f)
    header = next(rows)
    dims = header[:-1]
    columns = [[] for _ in dims]
    values = []
    for row in rows:
        for i in range(len(dims)):
            columns[i].append(row[i])
        values.append(float(row[-1]))
body = {"dimensions": dims, "columns": dict(zip(dims, columns)), "values": values}
json.dump(body, sys.stdout, separators=(",", ":"))
