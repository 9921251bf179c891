#!/usr/bin/env bash
# Walk sample cases through the CLI on a fresh SQLite file (demo.db): what `make demo` runs.
set -euo pipefail
ADUAN=${ADUAN:-aduan}
export ADUAN_DATABASE_URL=${ADUAN_DATABASE_URL:-sqlite:///demo.db}
export ADUAN_LOG_LEVEL=${ADUAN_LOG_LEVEL:-warning}
rm -f demo.db demo.db-wal demo.db-shm
step() { printf '\n\033[1m$ aduan %s\033[0m\n' "$*"; "$ADUAN" "$@"; }
code_of() { "$ADUAN" list --json --limit 1000 --as budi | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["tracking_code"])'; }
served=$(python3 -c 'import datetime as d; print(d.date.today() - d.timedelta(days=6))')
late=$(python3 -c 'import datetime as d; print(d.date.today() - d.timedelta(days=45))')

step db upgrade
step catalog list
step orgchart show

echo; echo "== 1. A WhatsApp complaint on the internal track, escalated once, answered and closed =="
step submit --channel whatsapp --subject "Sertifikat standar belum terbit" \
  --description "Sudah lewat 7 hari kerja sejak berkas lengkap" --name "Ani Suryani" \
  --phone 081234567890 --service 15121 --service-date "$served" --as budi
CASE=$(code_of)
step act "$CASE" classify --as budi --service 15121 --problem completion_time
step act "$CASE" review --as budi --core-problem "Penerbitan melewati jangka waktu layanan" \
  --plan "clarification:Bidang Perizinan:tanyakan status berkas" >/dev/null
step act "$CASE" route_internal --as budi >/dev/null
step act "$CASE" escalate --as budi --report "Verifikator belum memproses; mohon arahan Kepala Seksi" >/dev/null
step act "$CASE" record_result --as sari --outcome substantiated --summary "Sertifikat diterbitkan hari ini" \
  --corrective "Antrian verifikasi dipantau harian" >/dev/null
step act "$CASE" inform_complainant --as budi --channel whatsapp --text "Sertifikat Anda sudah terbit" >/dev/null
step act "$CASE" report_to_superior --as budi --text "Laporan hasil tindak lanjut pengaduan" >/dev/null
step act "$CASE" close --as agus
step track "$CASE"

echo; echo "== 2. A complaint 45 days after the service: recorded as a suggestion, accepted by a supervisor =="
step submit --channel email --subject "Biaya tidak sesuai" --description "Diminta biaya padahal gratis" \
  --name "Rudi" --email rudi@contoh.id --service 01622 --service-date "$late" --as budi
LATE=$(code_of)
step act "$LATE" accept_late --as sari --reason "Pelapor dirawat di rumah sakit selama tiga minggu"

echo; echo "== 3. A case for the agency (Dinas Pertanian) and one the office asks APIP to examine =="
step submit --channel letter --subject "Pemeriksaan lapangan tidak datang" --description "Tim teknis tidak hadir" \
  --name "Sri" --phone 0857000111222 --service 01622 --service-date "$served" \
  --letter-number "12/SRI/XII/2026" --letter-date "$served" --as budi >/dev/null
AG=$(code_of)
"$ADUAN" act "$AG" classify --as budi --service 01622 --problem procedure >/dev/null
"$ADUAN" act "$AG" review --as budi --core-problem "Jadwal pemeriksaan lapangan" --plan "confirmation:Dinas Pertanian" >/dev/null
step act "$AG" route_agency --as budi --agency dispertan >/dev/null
step act "$AG" request_apip --as tono --reason "Dugaan pungutan saat pemeriksaan" >/dev/null
step act "$AG" approve_apip --as rina --note "Disetujui Kepala Dinas Pertanian" >/dev/null
step list --as dewi
echo; echo "Demo database: demo.db — try: $ADUAN show $CASE --as sari"
