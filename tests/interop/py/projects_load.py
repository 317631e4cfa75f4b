"""Loads MLproject folders with MLflow's own loader (mlflow.projects._project_spec) and prints,
per folder, what MLflow sees: name, env type and file, entry points with their parameters
(type and default as MLflow holds them) and the command compute_command builds for the
given -P values. Prints one JSON line.

Usage: projects_load.py '<json: [{"dir": ..., "entry_point": ..., "params": {...}}]>'
"""
import json
import os
import sys

from mlflow.projects import _project_spec


def describe(job):
    project = _project_spec.load_project(job["dir"])
    eps = {}
    for name, ep in project._entry_points.items():
        eps[name] = {
            "parameters": [
                {"name": p.name, "type": p.type, "default": None if p.default is None else str(p.default)}
                for p in ep.parameters.values()
            ],
            "command": ep.command,
        }
    ep = project.get_entry_point(job["entry_point"])
    out = {
        "name": project.name,
        "env_type": project.env_type,
        "env_file": os.path.relpath(project.env_config_path, job["dir"]) if project.env_config_path else None,
        "entry_points": eps,
    }
    try:
        out["computed"] = ep.compute_command(job["params"], None)
    except Exception as e:  # MLflow's own message, for the lab to match
        out["error"] = str(e)
    return out


def main():
    jobs = json.loads(sys.argv[1])
    print(json.dumps([describe(j) for j in jobs]))


if __name__ == "__main__":
    main()
