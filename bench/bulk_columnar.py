"""A facts CSV as the columnar JSON body of a bulk write (docs/api.md):
python3 bench/bulk_columnar.py facts.csv [--indices] > cells.json
With --indices each column holds indices into a "members" list of names."""
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
body = {"dimensions": dims}
if "--indices" in sys.argv:
    members = {}
    for dim, column in zip(dims, columns):
        names = sorted(set(column))
        index = {name: i for i, name in enumerate(names)}
        members[dim] = names
        column[:] = [index[name] for name in column]
    body["members"] = members
body["columns"] = dict(zip(dims, columns))
body["values"] = values
json.dump(body, sys.stdout, separators=(",", ":"))
