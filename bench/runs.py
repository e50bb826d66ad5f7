"""Medians over the JSON of several `quantatom bench` runs (bench/*.sh)."""
import json
import statistics


def load_runs(out, runs):
    return [json.load(open(f"{out}/run{i}.json")) for i in range(1, runs + 1)]


def median_of(docs):
    """med(*path): the median over the runs of the figure at that path."""
    def med(*path):
        vals = []
        for d in docs:
            for p in path:
                d = d[p]
            vals.append(d)
        return statistics.median(vals)
    return med
