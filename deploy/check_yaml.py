#!/usr/bin/env python3
"""Parses every YAML file under deploy/, docker/ and .github/ with PyYAML (CloudFormation's short
intrinsic tags such as !Ref, !Sub and !GetAtt accepted) and every JSON file with json. Exit 1 on
the first file that does not parse. Needs PyYAML (Debian: python3-yaml)."""
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


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    files = [p for d in ("deploy", "docker", ".github") for p in sorted((root / d).rglob("*"))
             if p.suffix in (".yml", ".yaml", ".json")]
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f) if path.suffix == ".json" else yaml.load(f, Loader=Loader)
        except Exception as e:  # noqa: BLE001 - report any parse failure with its file
            sys.exit(f"check_yaml: {path.relative_to(root)}: {e}")
        if not isinstance(doc, dict):
            sys.exit(f"check_yaml: {path.relative_to(root)}: top level is not a mapping")
        print(f"ok  {path.relative_to(root)}")


if __name__ == "__main__":
    main()
