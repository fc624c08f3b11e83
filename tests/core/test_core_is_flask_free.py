import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def test_core_imports_without_flask():
    """portal.core must not import Flask (architecture.md): import it with flask blocked."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'flask' or name.startswith('flask.') or name.startswith('flask_'):\n"
        "            raise ImportError('flask is blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import portal.core.cases, portal.core.ingest, portal.core.identifiers, portal.core.models\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
