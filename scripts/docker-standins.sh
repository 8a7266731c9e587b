#!/usr/bin/env bash
# Makes sure the base images the Dockerfile names exist locally. Where a registry is reachable they are
# pulled as usual. Where none is (CI here), local stand-ins with the same names are built from this
# machine's own .NET install and Debian libraries, so the standard Dockerfile builds unchanged.
# Usage: scripts/docker-standins.sh   (needs docker, the .NET SDK, and dpkg)
set -euo pipefail
cd "$(dirname "$0")/.."

sdk_image="mcr.microsoft.com/dotnet/sdk:10.0"
runtime_image="mcr.microsoft.com/dotnet/runtime:10.0"
# The broker's: the runtime with ASP.NET Core, which its monitoring endpoint needs.
aspnet_image="mcr.microsoft.com/dotnet/aspnet:10.0"
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
# Libraries .NET needs (globalization runs invariant in the stand-ins), and a shell for RUN steps.
packages=(libc6 libgcc-s1 libstdc++6 zlib1g libssl3 ca-certificates dash bash coreutils libselinux1 libpcre2-8-0 libacl1 libattr1)

have() { docker image inspect "$1" >/dev/null 2>&1; }

# rootfs DIR: the listed Debian packages' files, copied from this machine.
rootfs() {
  local dir="$1"
  mkdir -p "$dir"/{tmp,app,root,etc,home/app,usr/bin,usr/sbin,usr/lib,usr/lib64}
  chmod 1777 "$dir/tmp"
  # Debian's merged /usr: /bin, /lib... are links into /usr, in the image as on this machine.
  for link in bin sbin lib lib64; do ln -s "usr/$link" "$dir/$link"; done
  dpkg -L "${packages[@]}" 2>/dev/null | sed -E 's#^/(bin|sbin|lib|lib64)/#/usr/\1/#' | sort -u | while read -r path; do
    if [ -f "$path" ] || [ -L "$path" ]; then
      cp -a --parents "$path" "$dir" 2>/dev/null || true
    fi
  done
  ln -sf dash "$dir/usr/bin/sh"
  echo "root:x:0:0:root:/root:/bin/sh" > "$dir/etc/passwd"
  echo "app:x:1654:1654:app:/home/app:/bin/sh" >> "$dir/etc/passwd"
  printf 'root:x:0:\napp:x:1654:\n' > "$dir/etc/group"
  chown 1654:1654 "$dir/home/app"
}

# standin IMAGE DIR: imports DIR as IMAGE with the environment the official images set.
standin() {
  local image="$1" dir="$2"
  tar -C "$dir" -c . | docker import \
    --change 'ENV DOTNET_ROOT=/usr/share/dotnet' \
    --change 'ENV PATH=/usr/share/dotnet:/usr/local/bin:/usr/bin:/bin' \
    --change 'ENV APP_UID=1654' \
    --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
    --change 'ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true' \
    --change 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=1' \
    --change 'ENV DOTNET_NOLOGO=1' \
    --change 'ENV NUGET_PACKAGES=/root/.nuget/packages' \
    --change 'ENV NuGetAudit=false' \
    --change 'WORKDIR /app' \
    - "$image" >/dev/null
  echo "built stand-in $image"
}

ensure() {
  local image="$1" kind="$2"
  have "$image" && return 0
  if timeout 60 docker pull -q "$image" >/dev/null 2>&1; then
    echo "pulled $image"
    return 0
  fi

  local work
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  rootfs "$work"
  mkdir -p "$work/usr/share/dotnet"
  if [ "$kind" = sdk ]; then
    cp -a "$dotnet_root/." "$work/usr/share/dotnet/"
    # The packages this repository restores, so the image's restore needs no network.
    dotnet restore Mq.sln -v quiet >/dev/null
    mkdir -p "$work/root/.nuget/NuGet"
    cp -a "${NUGET_PACKAGES:-$HOME/.nuget/packages}" "$work/root/.nuget/packages"
    # No registry is reachable from the stand-in: restore from that folder only, and skip the
    # vulnerability audit, which would wait minutes for a registry before giving up.
    cat > "$work/root/.nuget/NuGet/NuGet.Config" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="offline" value="/root/.nuget/packages" />
  </packageSources>
</configuration>
XML
  else
    cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$work/usr/share/dotnet/"
    mkdir -p "$work/usr/share/dotnet/shared"
    cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$work/usr/share/dotnet/shared/"
    if [ "$kind" = aspnet ]; then
      cp -a "$dotnet_root/shared/Microsoft.AspNetCore.App" "$work/usr/share/dotnet/shared/"
    fi
  fi
  ln -sf ../share/dotnet/dotnet "$work/usr/bin/dotnet"
  # cp --parents can leave the parents it creates private; every directory must be traversable by 'app'.
  find "$work" -type d ! -path "$work/tmp" -exec chmod 755 {} +
  standin "$image" "$work"
}

ensure "$runtime_image" runtime
ensure "$aspnet_image" aspnet
ensure "$sdk_image" sdk
