#!/bin/sh
# Build ARX (main sources) and the benchmark driver, outside the repository.
#
#   ARX_SRC=/path/to/arx benchmarks/arx/build.sh     # prints the classpath
#
# ARX_SRC is an ARX checkout (a folder with src/main and lib/) or a bare git
# mirror of https://github.com/arx-deidentifier/arx (read with git
# ls-tree / cat-file at ARX_REV, default HEAD).  Its main sources are
# compiled with javac against the jars in its lib/ant/ (what its build.xml
# uses); three jars it references are often absent from mirrors
# (hadoop-core, pdfbox-app, poi-ooxml-schemas: large files) and are only
# used by ARX's PDF certificate and classifier code, so the small stub
# classes in benchmarks/arx/stubs/<jar name>/ stand in for the first two
# when they are missing (nothing of poi-ooxml-schemas is needed to compile).
#
# Output goes to ARX_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/sklearn_anon/arx),
# one folder per ARX revision; a second call with the same sources, driver
# and stubs does nothing but print the classpath (idempotent).  Nothing of
# ARX is written into the repository.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
: "${ARX_SRC:?set ARX_SRC to an ARX checkout or a bare git mirror of it}"
rev=${ARX_REV:-HEAD}
cache_root=${ARX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sklearn_anon/arx}
command -v javac >/dev/null 2>&1 || { echo "build.sh: javac not found" >&2; exit 3; }

# -- where the sources are, and which version ------------------------------------
if [ -d "$ARX_SRC/src/main" ]; then
    mode=dir
    if [ -e "$ARX_SRC/.git" ] && git -C "$ARX_SRC" rev-parse --verify -q HEAD >/dev/null 2>&1; then
        src_id=$(git -C "$ARX_SRC" rev-parse HEAD)
        # uncommitted edits change the build too
        dirty=$( (git -C "$ARX_SRC" diff HEAD -- src/main lib/ant; \
                  git -C "$ARX_SRC" ls-files --others -- src/main lib/ant) | cksum | cut -d' ' -f1)
        src_id="$src_id-$dirty"
    else
        src_id=$(cd "$ARX_SRC" && find src/main lib/ant -type f | sort | xargs cksum | cksum | cut -d" " -f1)
    fi
elif git --git-dir="$ARX_SRC" rev-parse --verify -q "$rev^{commit}" >/dev/null 2>&1; then
    mode=git
    src_id=$(git --git-dir="$ARX_SRC" rev-parse "$rev^{commit}")
else
    echo "build.sh: ARX_SRC=$ARX_SRC is neither an ARX checkout (src/main) nor a git repository" >&2
    exit 2
fi
stub_id=$(find "$here/stubs" -name '*.java' | sort | xargs cat | cksum | cut -d' ' -f1)
# folder: the revision's first 12 characters (readable), then a checksum of all of it
arx="$cache_root/$(printf %s "$src_id" | cut -c1-12)-$(printf '%s %s' "$src_id" "$stub_id" | cksum | cut -d' ' -f1)"

# -- ARX itself (once per revision and stub set) --------------------------------
if [ ! -f "$arx/BUILT" ]; then
    mkdir -p "$cache_root"
    work=$(mktemp -d "$cache_root/.build.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work/src" "$work/lib" "$work/classes" "$work/stub-classes"

    # sources and jars
    if [ "$mode" = dir ]; then
        cp -R "$ARX_SRC/src/main" "$work/src/main"
        (cd "$ARX_SRC" && find lib/ant -name '*.jar') | while read -r jar; do
            if [ -s "$ARX_SRC/$jar" ]; then
                mkdir -p "$work/$(dirname "$jar")"
                cp "$ARX_SRC/$jar" "$work/$jar"
            fi
        done
    else
        # file by file, so that objects missing from the mirror (large jars) are skipped
        git --git-dir="$ARX_SRC" ls-tree -r "$rev" -- src/main lib/ant | while read -r _mode _type obj path; do
            case "$path" in
                src/main/*|lib/ant/*.jar) ;;
                *) continue ;;
            esac
            if git --git-dir="$ARX_SRC" cat-file -e "$obj" 2>/dev/null; then
                mkdir -p "$work/$(dirname "$path")"
                git --git-dir="$ARX_SRC" cat-file blob "$obj" > "$work/$path"
            else
                echo "build.sh: not in the mirror (stubbed if needed): $path" >&2
            fi
        done
    fi
    wjars=$(find "$work/lib" -name '*.jar' | sort | tr '\n' ':')

    # stubs/<jar name>/ stands in for lib/ant/**/<jar name>-<version>.jar when that is absent
    stubs=""
    for dir in "$here"/stubs/*/; do
        name=$(basename "$dir")
        if [ -z "$(find "$work/lib" -name "$name-*.jar" | head -1)" ]; then
            stubs="$stubs $(find "$dir" -name '*.java' | sort | tr '\n' ' ')"
        fi
    done
    if [ -n "$stubs" ]; then
        # shellcheck disable=SC2086
        javac -nowarn -encoding UTF-8 -d "$work/stub-classes" -cp "$wjars" $stubs
    fi

    echo "build.sh: compiling ARX's main sources (about a minute) ..." >&2
    find "$work/src/main" -name '*.java' > "$work/sources.txt"
    javac -nowarn -encoding UTF-8 -proc:none -J-Xmx1g -d "$work/classes" \
          -cp "$wjars$work/stub-classes" @"$work/sources.txt" 2> "$work/javac.log" || {
        echo "build.sh: javac failed on ARX's sources:" >&2
        grep -A3 'error:' "$work/javac.log" | head -60 >&2
        exit 1
    }
    # resources ARX reads from the class path (e.g. certificate fonts)
    (cd "$work/src/main" && find . -type f ! -name '*.java' | while read -r r; do
        mkdir -p "$work/classes/$(dirname "$r")"; cp "$r" "$work/classes/$r"; done)
    rm -rf "$work/src"
    printf '%s\n' "$src_id" > "$work/BUILT"
    if [ ! -f "$arx/BUILT" ]; then  # another build may have finished meanwhile
        rm -rf "$arx"
        mv "$work" "$arx"
    fi
    trap - EXIT
    rm -rf "$work"
fi

# -- the driver (once per version of Driver.java) ---------------------------------
jars=$(find "$arx/lib" -name '*.jar' | sort | tr '\n' ':')
arx_cp="$arx/classes:$jars$arx/stub-classes"
driver="$arx/driver-$(cksum < "$here/Driver.java" | cut -d' ' -f1)"
if [ ! -f "$driver/Driver.class" ]; then
    dwork=$(mktemp -d "$arx/.driver.XXXXXX")
    javac -nowarn -encoding UTF-8 -d "$dwork" -cp "$arx_cp" "$here/Driver.java" || { rm -rf "$dwork"; exit 1; }
    if [ ! -f "$driver/Driver.class" ]; then
        rm -rf "$driver"
        mv "$dwork" "$driver"
    fi
    rm -rf "$dwork"
fi
printf '%s\n' "$driver:$arx_cp"
