#!/usr/bin/env bash
# Rebuilds the dated range libraries in public/rules/ from the range files
# named in docs/rule-libraries.md ("The shipped libraries"). The files are
# not in the repository: fetch them (the table there gives repository,
# commit and path) into DATA, named as below, then run
#   scripts/import-libraries.sh DATA
# Each library records the file's sha256, so a rebuild from other bytes shows
# in the diff.
set -euo pipefail
DATA=${1:?usage: scripts/import-libraries.sh DATA_DIR}
cd "$(dirname "$0")/.."
cargo build -q --release -p whoserves-cli
W=target/release/whoserves
out=public/rules
imp() { "$W" import ranges "$@" 2>/dev/null; }

imp --from aws "$DATA/aws_ip-ranges_2020-05-21-20-13-11_jensihnow.json" --valid-to 2020-05-25 \
  --fetched-from "github jensihnow/AWSPublicIPAddressRanges ip-ranges.json @d2d8e1e4f92bf70f52294d6d9ec478976473ed9e; the next publication (createDate 2020-05-26-16-53-12) is @bf2dd1653730e849171e3c6ec5f6fe29b2e419a0" \
  -o $out/aws-2020-05-21.json
imp --from aws "$DATA/aws_ip-ranges_2026-08-22-16-37-05_jmfontaine-HEAD_LATEST.json" \
  --fetched-from "github jmfontaine/vendor-ip-ranges-history aws.json @adcc618dbc1b00cd92162aad9b98f5d70cb4f881" \
  -o $out/aws-2026-08-22.json
imp --from google "$DATA/google_goog_2026-08-22T07-04-30_jmfontaine.json" \
  --fetched-from "github jmfontaine/vendor-ip-ranges-history google.json @adcc618dbc1b00cd92162aad9b98f5d70cb4f881" \
  -o $out/google-2026-08-22.json
imp --from google-cloud "$DATA/google_cloud_2026-08-22T07-04-30_jmfontaine.json" \
  --fetched-from "github jmfontaine/vendor-ip-ranges-history google_cloud.json @adcc618dbc1b00cd92162aad9b98f5d70cb4f881" \
  -o $out/google-cloud-2026-08-22.json
# Cloudflare's files carry no date. This list is the first capture of
# github femueller/cloud-ip-ranges (2021-08-02), unchanged through
# jmfontaine's capture of 2026-08-22.
imp --from cloudflare "$DATA/cloudflare_ips-v4v6_commit-2026-05-12_jmfontaine.txt" --published 2021-08-02 \
  --fetched-from "github jmfontaine/vendor-ip-ranges-history cloudflare.txt @adcc618dbc1b00cd92162aad9b98f5d70cb4f881; the same list is the first capture in github femueller/cloud-ip-ranges (2021-08-02)" \
  -o $out/cloudflare-2021-08-02.json
imp --from azure "$DATA/azure_servicetags_public_changeNumber-363_femueller.json" --published 2025-07-22 \
  --fetched-from "github femueller/cloud-ip-ranges microsoft-azure-ip-ranges.json @a7f298dfaefc136ba5ef7146c903f1b15591185f (captured 2025-07-22)" \
  -o $out/azure-363.json
imp --from oracle "$DATA/oracle_public_ip_ranges_2025-07-21T07-13-25_femueller.json" \
  --fetched-from "github femueller/cloud-ip-ranges oracle-cloud-ip-ranges.json @8b8719cee0ade28a6991babf16f123d218af7fdf" \
  -o $out/oracle-2025-07-21.json
imp --from fastly "$DATA/fastly_public-ip-list_commit-2024-10-08_femueller.json" --published 2024-10-08 \
  --fetched-from "github femueller/cloud-ip-ranges fastly-ip-ranges.json @672d1837a5fdc6f65c3cefc280a8e0a51ba6933e (first captured 2024-10-08)" \
  -o $out/fastly-2024-10-08.json
imp --from digitalocean "$DATA/digitalocean_geofeed_commit-2025-07-22_femueller.csv" --published 2025-07-22 \
  --fetched-from "github femueller/cloud-ip-ranges digitalocean.csv @9c4c21766aa8329df32f42c687a2cc4f8f88a426 (captured 2025-07-22)" \
  -o $out/digitalocean-2025-07-22.json
for f in $out/aws-*.json $out/google-*.json $out/cloudflare-*.json $out/azure-*.json $out/oracle-*.json $out/fastly-*.json $out/digitalocean-*.json; do
  "$W" test-rules "$f" | tail -1 | sed "s|^|$f: |"
done
