"""The fix stage on the one pipeline: suppressions first, then fixes verified together, and one
``--fix`` run that fixes everything (issue 20 items 4, 6 and 7; issue 18's placement)."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from nimlint.engine.fix_edits import Change
from nimlint.engine.render import ruamel_text, scalar_text
from nimlint.findings import Edit, Fix, Span
from nimlint.fixer import Candidate, non_overlapping
from nimlint.lint import Linter, Options, lint_files, lint_text
from tests.profiles import examples

ROOT = Path(__file__).resolve().parent.parent
HEAD = 'metadata: {name: a, projectId: "1"}\nspec:\n  image: nvcr.io/nim/x:1\n'
ENV = HEAD + "  environmentVariables:\n"

SILENCED = """\
metadata:
  name: llama3-8b-instruct
  projectId: "4501"
spec:
  image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3
  ngcAuthSecret: ngc-api-secret
  compute: {gpuDevicesRequest: 1}
  servingPort: {port: 8000}
  tolerations:
    - name: gpu
      key: nvidia.com/gpu
      operator: Exists
      value: present   # nimlint: disable-next-line=S002
      effect: noschedule
"""


def fix(text: str, name: str = "spec.yaml", mode: str = "safe"):
    return Linter(Options(fix=mode)).fix_bytes(text.encode(), name, ROOT, name)


def test_a_fix_never_removes_a_suppression_comment_in_use() -> None:
    """T003's fix would remove the line that carries the directive silencing S002 below it:
    the next pass would then have fixed S002 and the comment would be gone."""
    fixed = fix(SILENCED)
    assert fixed.text == SILENCED
    assert [f.rule for f in fixed.findings] == ["T003"]
    assert fixed.findings[0].fix is None  # offered nowhere: not in JSON, SARIF or --diff


def test_the_same_fix_applies_once_the_directive_is_gone() -> None:
    text = SILENCED.replace("   # nimlint: disable-next-line=S002", "")
    fixed = fix(text)
    assert "value: present" not in fixed.text and "effect: NoSchedule" in fixed.text
    assert fixed.findings == []


def test_findings_without_a_fix_do_not_use_up_the_fixes_of_a_file() -> None:
    """A tagged value has a repair but no edit that fits: 150 of them came first and used up a
    budget of 100 attempts, so the plainly fixable value after them was never fixed."""
    text = ENV + "".join(f"    - {{name: T{i}, value: !!int {i}}}\n" for i in range(150))
    text += "    - {name: LAST, value: 5}\n"
    fixed = fix(text)
    assert fixed.text.endswith('    - {name: LAST, value: "5"}\n')
    assert fixed.fixed == 1


def test_one_run_fixes_a_thousand_values_in_two_lints(monkeypatch) -> None:
    text = ENV + "".join(f"    - {{name: V{i}, value: {i}}}\n" for i in range(1000))
    linter = Linter(Options(fix="safe"))
    lints = []
    lint_file = linter.lint_file
    monkeypatch.setattr(
        linter, "lint_file", lambda raw, *a, **k: lints.append(raw) or lint_file(raw, *a, **k)
    )
    fixed = linter.fix_bytes(text.encode(), "many.yaml", ROOT, "many.yaml")
    assert fixed.fixed == 1000
    assert not [f for f in fixed.findings if f.rule == "S001"]
    assert len(lints) == 2  # the text as written, then the fixed text: nothing left to fix


def test_a_stream_of_three_hundred_documents_is_fixed_in_one_run(tmp_path: Path) -> None:
    doc = HEAD + "  replicas: 1\n  environmentVariables:\n    - {name: A, value: 1}\n"
    doc += "    - {name: B, value: 2}\n"
    spec = tmp_path / "stream.yaml"
    spec.write_text("---\n".join([doc] * 300))
    result = lint_files(Linter(Options(fix="safe")), [str(spec)])
    assert sum(f.fixed for f in result.fixed) == 600
    assert not [f for f in result.findings if f.rule == "S001"]


def test_overlapping_fixes_are_taken_in_later_passes_of_the_same_run() -> None:
    """Two fixes of one value (the duplicate entry's removal and its value's quoting) overlap:
    one pass takes one, the next pass what is left, in the same run."""
    text = ENV + "    - {name: A, value: 1}\n    - {name: A, value: 1}\n"
    fixed = fix(text)
    assert fixed.text == ENV + '    - {name: A, value: "1"}\n'
    assert [f.rule for f in fixed.findings if f.fix or f.rule in ("S001", "E001")] == []


def test_a_fix_is_offered_under_a_policy_for_a_value_the_request_wrote(tmp_path: Path) -> None:
    """Under a policy the document is checked as its effective request; a repair of a value
    the request itself wrote is placed, and fixed, in the request."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("defaults:\n  compute:\n    cpuCoreRequest: 1\n")
    text = ENV + "    - {name: A, value: 1}\n"
    options = Options(policies=(policy,), fixes=True)
    findings = [f for f in lint_text(text, "spec.yaml", options) if f.rule == "S001"]
    assert len(findings) == 1 and findings[0].fix is not None
    assert findings[0].pointer == "/spec/environmentVariables/0/value"


def test_a_preview_finding_names_the_base_value_it_is_about(tmp_path: Path) -> None:
    base = tmp_path / "running.yaml"
    base.write_text(HEAD + "  compute:\n    cpuCoreRequest: 4\n")
    update = "spec:\n  compute:\n    cpuCoreLimit: 2\n"
    findings = lint_text(update, "update.yaml", Options(base=base))
    (finding,) = [f for f in findings if f.related]
    assert [(r.file, r.line) for r in finding.related] == [(str(base), 5)]
    assert finding.related[0].note in finding.message
    assert (finding.line, finding.pointer) == (3, "/spec/compute/cpuCoreLimit")


@settings(max_examples=examples(300), deadline=None)
@given(st.text(st.characters(min_codepoint=32, max_codepoint=126)), st.sampled_from(["'", '"']))
def test_quoted_scalars_are_written_as_ruamel_yaml_writes_them(value: str, style: str) -> None:
    """The quoted text of a fix is written without ruamel.yaml when it is printable ASCII."""
    assert scalar_text(value, is_json=False, style=style) == ruamel_text(value, style)


@settings(max_examples=examples(300), deadline=None)
@given(st.text("aAbBeEfFlLnNoOrRsStTuUyY019_-", min_size=1, max_size=6))
def test_plain_words_are_written_as_ruamel_yaml_writes_them(value: str) -> None:
    assert scalar_text(value, is_json=False) == ruamel_text(value, '"' * needs_quotes(value))


def needs_quotes(value: str) -> bool:
    from nimlint.loading.scalars import yaml11_reading

    return yaml11_reading(value) is not None


def _naive_overlap(a: Edit, b: Edit) -> bool:
    return (a.start < b.end and b.start < a.end) or a.start == b.start


edit_ranges = st.tuples(st.integers(0, 30), st.integers(0, 4)).map(
    lambda r: Edit(r[0], r[0] + r[1], "", Span(1, 1, 1, 1))
)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(
        st.lists(edit_ranges, min_size=1, max_size=2).filter(
            lambda g: not any(_naive_overlap(a, b) for a, b in itertools.combinations(g, 2))
        ),
        max_size=12,
    )
)
def test_one_pass_takes_the_fixes_a_pairwise_check_would(groups) -> None:
    """The sorted-ranges check of a pass agrees with comparing every pair of edits (a fix's own
    edits never overlap each other)."""
    fixes = [Fix("safe", str(i), tuple(g)) for i, g in enumerate(groups)]
    chosen, _ = non_overlapping([Candidate(f, 0, Change("remove", "")) for f in fixes])
    taken: list[Edit] = []
    expected = []
    seen = set()
    for fix in sorted(fixes, key=lambda f: (min(e.start for e in f.edits), f.message)):
        if fix.edits in seen:
            continue
        if any(_naive_overlap(e, t) for e in fix.edits for t in taken):
            continue
        seen.add(fix.edits)
        taken.extend(fix.edits)
        expected.append(fix)
    assert [c.fix for c in chosen] == expected


@given(st.text(alphabet="ab \r\n\t\u2028", max_size=60))
def test_line_starts_are_where_the_loader_breaks_lines(text: str) -> None:
    from nimlint.engine.fix_edits import _BREAKS, line_starts

    assert line_starts(text) == [0] + [m.end() for m in _BREAKS.finditer(text)]
