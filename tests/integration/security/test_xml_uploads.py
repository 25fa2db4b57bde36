"""XML uploads refuse external entities and entity expansion (issue #11, hardening).

Every way XML comes in from outside (the workbench's Deploy page: BPMN and DMN; its Assess page:
XES and gzipped XES; the API's deployments: BPMN and DMN; and the readers of PNML and OCEL-XML
that `civicflow mine` uses) gets two payloads: an external entity (XXE) naming a local file and a
"billion laughs" of nested entities. Each must be refused with a 4xx (or the reader's error)
within a second, store nothing, echo nothing, and never open the file. The file is a named pipe
watched by a thread, so an attempt to read it is seen even if the parser would swallow the text.
"""

from __future__ import annotations

import gzip
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from civicflow.mining import EventLogError, read_ocel_xml, read_pnml, read_xes
from civicflow.runtime.models import Deployment
from support.workbench import signed_in, staff

pytestmark = pytest.mark.django_db

SECRET = "PIPE-SECRET-4f1c9a"
QUICK = 1.0  # seconds: a parser that expands entities takes far longer (or runs out of memory)


class Pipe:
    """A named pipe; ``opened`` turns true if anything opens it for reading."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self.opened = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:  # succeeds only while a reader has the pipe open
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.002)
                continue
            self.opened = True
            try:
                os.write(fd, SECRET.encode())
            except OSError:  # the reader went away first
                pass
            finally:
                os.close(fd)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


@pytest.fixture
def pipe(tmp_path: Path) -> Iterator[Pipe]:
    watched = Pipe(tmp_path / "secret.txt")
    yield watched
    watched.stop()


def _doctype(root: str, pipe: Pipe) -> str:
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{pipe.path}">]>\n'


LAUGHS = (
    '<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    + "".join(
        f'<!ENTITY lol{n} "{"".join(f"&lol{n - 1};" for _ in range(10))}">' for n in range(2, 10)
    )  # lol9 expands to 10^9 "lol"s
)


def _laughs(root: str) -> str:
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [{LAUGHS}]>\n'


BPMN_NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="urn:x"'
DMN_NS = 'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="urn:x"'


def bpmn(prolog: str, ref: str) -> bytes:
    process = f'<process id="p" isExecutable="true"><documentation>{ref}</documentation><startEvent id="s"/></process>'
    body = f"<definitions {BPMN_NS}>{process}</definitions>"
    return (prolog + body).encode()


def dmn(prolog: str, ref: str) -> bytes:
    decision = f'<decision id="x" name="x"><literalExpression><text>{ref}</text></literalExpression></decision>'
    body = f"<definitions {DMN_NS}>{decision}</definitions>"
    return (prolog + body).encode()


def xes(prolog: str, ref: str) -> bytes:
    event = (
        '<event><string key="concept:name" value="a"/><date key="time:timestamp" value="2026-01-01T00:00:00Z"/></event>'
    )
    trace = f'<trace><string key="concept:name" value="c1"/>{event}</trace>'
    return (prolog + f'<log xes.version="1.0">{ref}{trace}</log>').encode()


def payloads(pipe: Pipe, build: Callable[[str, str], bytes], root: str) -> dict[str, bytes]:
    return {"xxe": build(_doctype(root, pipe), "&xxe;"), "laughs": build(_laughs(root), "&lol9;")}


def _timed(call: Callable[[], Any]) -> Any:
    began = time.perf_counter()
    result = call()
    assert time.perf_counter() - began < QUICK, "took too long: entities were expanded or a file was waited on"
    return result


def _refused(response: Any, pipe: Pipe) -> None:
    assert 400 <= response.status_code < 500, response.status_code
    assert SECRET not in response.content.decode(errors="replace")
    assert "lollollol" not in response.content.decode(errors="replace")
    assert not pipe.opened, "the parser opened the external entity's file"


@pytest.mark.parametrize(("kind", "build", "root"), [("bpmn", bpmn, "definitions"), ("dmn", dmn, "definitions")])
def test_workbench_deploy_refuses_entities(pipe: Pipe, kind: str, build: Any, root: str) -> None:
    client = signed_in(staff("paul", "process-admins"))
    assert client.get("/workbench/deploy").status_code == 200  # templates loaded before the clock runs
    for attack, content in payloads(pipe, build, root).items():
        upload = _named(f"{attack}.{kind}", content)
        response = _timed(lambda upload=upload: client.post("/workbench/deploy", {"files": [upload]}))
        _refused(response, pipe)
    assert not Deployment.objects.exists()


@pytest.mark.parametrize(("kind", "build", "root"), [("bpmn", bpmn, "definitions"), ("dmn", dmn, "definitions")])
def test_api_deployments_refuse_entities(pipe: Pipe, kind: str, build: Any, root: str) -> None:
    from civicflow.api.tokens import create_token

    secret = create_token("deployer", ("admin",)).plaintext
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/deployments").status_code == 200
    for attack, content in payloads(pipe, build, root).items():
        upload = _named(f"{attack}.{kind}", content)
        response = _timed(lambda upload=upload: client.post("/api/v1/deployments", {"files": [upload]}))
        _refused(response, pipe)
        assert response["Content-Type"] == "application/problem+json"
    assert not Deployment.objects.exists()


@pytest.mark.parametrize("gzipped", [False, True])
def test_workbench_assess_refuses_entities_in_xes(pipe: Pipe, gzipped: bool) -> None:
    client = signed_in(staff("ingrid", "intake"))
    assert client.get("/workbench/assess/").status_code == 200
    for attack, content in payloads(pipe, xes, "log").items():
        name = f"{attack}.xes.gz" if gzipped else f"{attack}.xes"
        upload = _named(name, gzip.compress(content) if gzipped else content)
        response = _timed(lambda upload=upload: client.post("/workbench/assess/upload", {"log": upload}))
        _refused(response, pipe)
        assert "workbench_assess_logs" not in client.session


def _pnml(prolog: str, ref: str) -> bytes:
    page = f'<page id="pg"><place id="p1"><name><text>{ref}</text></name></place></page>'
    net = f'<net id="n" type="http://www.pnml.org/version-2009/grammar/ptnet">{page}</net>'
    return (prolog + f"<pnml>{net}</pnml>").encode()


def _ocel(prolog: str, ref: str) -> bytes:
    return (prolog + f"<log><global-log>{ref}</global-log><events/><objects/></log>").encode()


@pytest.mark.parametrize(
    ("reader", "build", "root", "suffix"),
    [
        (read_pnml, _pnml, "pnml", ".pnml"),
        (read_ocel_xml, _ocel, "log", ".xmlocel"),
        (read_xes, xes, "log", ".xes"),
    ],
)
def test_file_readers_refuse_entities(
    pipe: Pipe, tmp_path: Path, reader: Callable[[Path], Any], build: Any, root: str, suffix: str
) -> None:
    for attack, content in payloads(pipe, build, root).items():
        path = tmp_path / f"{attack}{suffix}"
        path.write_bytes(content)
        with pytest.raises(EventLogError) as refused:
            _timed(lambda path=path: reader(path))
        assert SECRET not in str(refused.value)
        assert not pipe.opened


def _named(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
