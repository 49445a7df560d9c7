#!/usr/bin/env python3
"""The one checker of the deployment files. Parses every YAML file under deploy/, docker/ and
.github/ with PyYAML (CloudFormation's short intrinsic tags such as !Ref, !Sub and !GetAtt
accepted) and every JSON file with json, then checks that no secret is committed: the task
definition takes each secret from Secrets Manager, compose takes each from the environment.
Exit 1 on the first problem. Needs PyYAML (Debian: python3-yaml)."""
import json
import pathlib
import sys

try:
    import yaml
except ImportError:
    sys.exit("check_yaml: PyYAML is missing (apt-get install python3-yaml)")

CFN_TAGS = {"Ref", "Sub", "GetAtt", "Join", "Select", "Split", "If", "Equals", "Not", "And", "Or",
            "Condition", "FindInMap", "GetAZs", "ImportValue", "Base64", "Cidr", "Transform"}


class Loader(yaml.SafeLoader):
    pass


def intrinsic(loader, suffix, node):
    if suffix not in CFN_TAGS:
        raise yaml.constructor.ConstructorError(None, None, f"unknown tag !{suffix}", node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node, deep=True)}
    return {suffix: loader.construct_mapping(node, deep=True)}


Loader.add_multi_constructor("!", intrinsic)


SECRETS = ("DATABASE_URL", "REDIS_URL", "TWILIO_AUTH_TOKEN", "OPENAI_API_KEY", "API_KEY")
COMPOSE_SECRETS = ("POSTGRES_PASSWORD", "TWILIO_AUTH_TOKEN", "API_KEY", "OPENAI_API_KEY")


def check_secrets(root, docs):
    """Secrets are references, never values, in the files we commit."""
    task = docs.get("deploy/task-definition.json")
    if task is not None:
        for container in task.get("containerDefinitions", []):
            plain = {e["name"] for e in container.get("environment", [])}
            managed = {s["name"] for s in container.get("secrets", [])}
            for name in SECRETS:
                if name in plain:
                    sys.exit(f"check_yaml: deploy/task-definition.json: {name} must not be a plain environment value")
                if name not in managed:
                    sys.exit(f"check_yaml: deploy/task-definition.json: {name} must come from Secrets Manager")
    compose = docs.get("docker/docker-compose.yml")
    for service, spec in (compose or {}).get("services", {}).items():
        env = spec.get("environment") or {}
        if isinstance(env, list):  # the "NAME=value" list form
            env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
        for name in COMPOSE_SECRETS:
            value = env.get(name)
            if value not in (None, "") and "${" not in str(value):
                sys.exit(f"check_yaml: docker/docker-compose.yml: {service}.{name} must be a ${{...}} reference")


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    files = [p for d in ("deploy", "docker", ".github") for p in sorted((root / d).rglob("*"))
             if p.suffix in (".yml", ".yaml", ".json")]
    docs = {}
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f) if path.suffix == ".json" else yaml.load(f, Loader=Loader)
        except Exception as e:  # noqa: BLE001 - report any parse failure with its file
            sys.exit(f"check_yaml: {path.relative_to(root)}: {e}")
        if not isinstance(doc, dict):
            sys.exit(f"check_yaml: {path.relative_to(root)}: top level is not a mapping")
        docs[str(path.relative_to(root))] = doc
        print(f"ok  {path.relative_to(root)}")
    check_secrets(root, docs)


if __name__ == "__main__":
    main()
