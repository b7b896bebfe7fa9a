"""Installing Argos packages from files: validated before anything lands in the models folder."""

import zipfile

import pytest

from translate.errors import PackageInvalidError
from translate.models import install_file, list_installed


def test_an_installed_package_is_listed_with_its_pair_and_version(tmp_path, ru_en_package):
    model = install_file(ru_en_package, tmp_path)
    assert (model.source, model.target, model.version) == ("ru", "en", "0.0.1")
    assert [m.pair for m in list_installed(tmp_path)] == ["ru->en"]


def test_installing_again_replaces_the_old_copy(tmp_path, ru_en_package):
    install_file(ru_en_package, tmp_path)
    install_file(ru_en_package, tmp_path)
    assert len(list_installed(tmp_path)) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".installing-")]


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    bogus = tmp_path / "model.argosmodel"
    bogus.write_text("not a zip")
    with pytest.raises(PackageInvalidError, match="not a zip archive"):
        install_file(bogus, tmp_path / "models")


def test_a_zip_without_metadata_is_refused_and_leaves_nothing_behind(tmp_path):
    archive = tmp_path / "empty.argosmodel"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("pkg/model/model.bin", b"x")
    models = tmp_path / "models"
    with pytest.raises(PackageInvalidError, match=r"metadata\.json"):
        install_file(archive, models)
    assert list_installed(models) == []


def test_a_zip_with_several_top_folders_is_refused(tmp_path):
    archive = tmp_path / "two.argosmodel"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a/metadata.json", "{}")
        zf.writestr("b/metadata.json", "{}")
    with pytest.raises(PackageInvalidError, match="one top-level"):
        install_file(archive, tmp_path / "models")


def test_a_package_without_a_ctranslate2_model_is_refused(tmp_path):
    archive = tmp_path / "nomodel.argosmodel"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("pkg/metadata.json", '{"from_code": "ru", "to_code": "en", "type": "translate"}')
    models = tmp_path / "models"
    with pytest.raises(PackageInvalidError, match=r"model\.bin"):
        install_file(archive, models)
    assert list_installed(models) == []
