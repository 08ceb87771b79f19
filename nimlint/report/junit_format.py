"""JUnit XML output for GitLab, Jenkins and Azure Pipelines test reports.

One testcase per linted file; each finding at or above ``fail-on`` (default: error) is a
``<failure>`` of its file's testcase (so ``failures`` counts the files that fail the run).
Findings below ``fail-on`` do not fail a file: they are listed in its ``<system-out>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from nimlint.findings import Finding, fails
from nimlint.report import Report


def _describe(f: Finding) -> str:
    return f"{f.file}:{f.line}:{f.column} {f.rule} {f.message}"


def render(report: Report, *, color: bool) -> str:
    """Render ``report`` as a JUnit XML document (``color`` is ignored)."""
    by_file: dict[str, list[Finding]] = {file: [] for file in report.files}
    for finding in report.findings:
        by_file.setdefault(finding.file, []).append(finding)
    suite = ET.Element("testsuite", name="nimlint")
    failing = 0
    for file, findings in by_file.items():
        case = ET.SubElement(suite, "testcase", classname="nimlint", name=file)
        failures = [f for f in findings if fails(f, report.fail_on)]
        notes = [_describe(f) for f in findings if not fails(f, report.fail_on)]
        for f in failures:
            failure = ET.SubElement(case, "failure", type=f.rule, message=f.message)
            failure.text = _describe(f)
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(notes)
        failing += bool(failures)
    counts = {"tests": str(len(by_file)), "failures": str(failing), "errors": "0"}
    suite.attrib.update(counts)
    root = ET.Element("testsuites", name="nimlint", **counts)
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
