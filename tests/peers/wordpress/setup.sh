#!/usr/bin/env bash
# A real WordPress (Debian's package) on http://127.0.0.1:8080 for the test suite; .ci/run calls this.
#
# Installs what is missing (apt), starts MariaDB and Apache, configures them (loopback only), installs
# WordPress, ensures the users `publicity` (author) and `editor` (editor) with fresh Application
# Passwords, and writes the connection facts to $WORDPRESS_PEER_FILE (default var/peers/wordpress.json,
# relative to the repo root), which tests/peers/wordpress_fixture.py reads.
# Idempotent: a second run changes nothing but the Application Passwords, and takes a second or two.
# Run as root, from any directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"

URL="http://127.0.0.1:8080"
DB_NAME="wordpress_test"
DB_USER="wordpress_test"
WP_CONFIG="/etc/wordpress/config-127.0.0.1.php" # Debian's wp-config.php loads config-<host>.php
SITE="publicity-wordpress-test"
peer_file="${WORDPRESS_PEER_FILE:-var/peers/wordpress.json}"
case "$peer_file" in /*) ;; *) peer_file="$repo/$peer_file" ;; esac

say() { echo "wordpress peer: $*"; }
die() {
  echo "wordpress peer: ERROR: $*" >&2
  exit 1
}

# wait_for SECONDS COMMAND...: true once COMMAND succeeds, false after SECONDS.
wait_for() {
  local seconds=$1
  shift
  for _ in $(seq $((seconds * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

# put_file DEST MODE OWNER:GROUP < content — writes only when the content differs; sets $changed.
changed=0
put_file() {
  local dest=$1 mode=$2 owner=$3 tmp
  tmp="$(mktemp)"
  cat >"$tmp"
  if [ -f "$dest" ] && cmp -s "$tmp" "$dest"; then
    rm -f "$tmp"
    return 0
  fi
  install -D -m "$mode" -o "${owner%:*}" -g "${owner#*:}" "$tmp" "$dest"
  rm -f "$tmp"
  changed=1
  say "wrote $dest"
}

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and configures Apache and MariaDB)"

# --- Packages ---------------------------------------------------------------------------------------
packages=(wordpress apache2 libapache2-mod-php mariadb-server php-mysql php-mbstring curl
  wordpress-theme-twentytwentythree)
missing=()
for package in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" = installed ] || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  log="$(mktemp)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    die "could not install ${missing[*]}"
  fi
  rm -f "$log"
fi

# --- MariaDB (root through the unix socket) -----------------------------------------------------------
if ! mariadb-admin ping >/dev/null 2>&1; then
  say "starting MariaDB"
  # A policy-rc.d may have kept apt from starting it; without an init system `service` may fail too.
  if ! service mariadb start >/dev/null 2>&1; then
    install -d -o mysql -g mysql /run/mysqld
    start-stop-daemon --start --background --exec /usr/sbin/mariadbd -- --user=mysql
  fi
  wait_for 30 mariadb-admin ping || die "MariaDB did not start"
fi

# --- WordPress configuration: keep the database password and keys of an earlier run -------------------
existing() { # existing NAME: the value define()d for NAME in $WP_CONFIG, if any
  [ -f "$WP_CONFIG" ] && sed -n "s/^define('$1', '\([A-Za-z0-9]*\)');\$/\1/p" "$WP_CONFIG" | head -n 1
  return 0
}
random_token() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9'; }
secret() { # secret NAME: the value of an earlier run, or a new random one
  local value
  value="$(existing "$1")"
  echo "${value:-$(random_token)}"
}
db_password="$(secret DB_PASSWORD)"
keys=""
for key in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
  keys+="define('$key', '$(secret "$key")');"$'\n'
done
put_file "$WP_CONFIG" 640 root:www-data <<EOF
<?php
// Written by tests/peers/wordpress/setup.sh (Publicity Desk): the WordPress the test suite talks to.
// Re-running the script keeps the password and keys below and rewrites everything else.
define('DB_NAME', '$DB_NAME');
define('DB_USER', '$DB_USER');
define('DB_PASSWORD', '$db_password');
define('DB_HOST', 'localhost');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
\$table_prefix = 'wp_';
${keys}
define('WP_HOME', '$URL');
define('WP_SITEURL', '$URL');
// Without 'local' (or https) WordPress ignores Application Passwords: 401 rest_cannot_create.
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
EOF

mariadb <<EOF
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$db_password';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$db_password';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';
EOF

# --- PHP and Apache -----------------------------------------------------------------------------------
changed=0 # from here on, a change means restarting Apache
php_version="$(php -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')"
put_file "/etc/php/$php_version/apache2/conf.d/99-publicity-wordpress-test.ini" 644 root:root <"$here/php.ini"
put_file /etc/apache2/ports.conf 644 root:root <<'EOF'
# Written by tests/peers/wordpress/setup.sh (Publicity Desk): only the test WordPress, loopback only.
Listen 127.0.0.1:8080
EOF
put_file "/etc/apache2/sites-available/$SITE.conf" 644 root:root <"$here/apache-site.conf"
if ! a2query -q -m "php$php_version"; then
  a2dismod -q mpm_event mpm_worker >/dev/null 2>&1 || true
  a2enmod -q mpm_prefork "php$php_version" >/dev/null
  changed=1
fi
if a2query -q -s 000-default; then
  a2dissite -q 000-default >/dev/null
  changed=1
fi
if ! a2query -q -s "$SITE"; then
  a2ensite -q "$SITE" >/dev/null
  changed=1
fi

serving() { curl -s -o /dev/null --max-time 3 "$URL/wp-includes/images/blank.gif"; }
if ! pidof apache2 >/dev/null; then # pidof skips zombies
  say "starting Apache"
  apache2ctl configtest >/dev/null 2>&1 || die "$(apache2ctl configtest 2>&1)"
  # Not `service apache2 start`: after a kill -9 it trusts the stale pid file while the old pid is
  # still an unreaped zombie, says it started Apache, and does nothing. Apache itself does the same.
  rm -f /var/run/apache2/apache2.pid
  apache2ctl start
elif [ "$changed" = 1 ] || ! serving; then
  say "restarting Apache"
  apache2ctl configtest >/dev/null 2>&1 || die "$(apache2ctl configtest 2>&1)"
  apache2ctl restart
fi
wait_for 30 serving || die "Apache does not answer on $URL"

# --- WordPress itself -----------------------------------------------------------------------------------
status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$URL/?rest_route=/")"
if [ "$status" = 302 ]; then # not installed yet: WordPress redirects to wp-admin/install.php
  say "installing WordPress"
  admin_password="$(random_token)" # nobody signs in as admin; reset it with PHP if you need to
  body="$(curl -sS --max-time 60 "$URL/wp-admin/install.php?step=2" \
    --data-urlencode "weblog_title=Publicity Desk test outlet" \
    --data-urlencode "user_name=admin" \
    --data-urlencode "admin_password=$admin_password" --data-urlencode "admin_password2=$admin_password" \
    --data-urlencode "pw_weak=1" \
    --data-urlencode "admin_email=admin@example.org" \
    --data-urlencode "blog_public=0")"
  status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$URL/?rest_route=/")"
  [ "$status" = 200 ] || die "installation failed (/?rest_route=/ answers $status): $body"
fi
[ "$status" = 200 ] || die "$URL/?rest_route=/ answers $status: $(curl -s --max-time 10 "$URL/?rest_route=/" | head -c 2000)"

facts="$(php -d display_errors=stderr "$here/ensure-users.php" "$URL")"
mkdir -p "$(dirname "$peer_file")"
(umask 077 && printf '%s\n' "$facts" >"$peer_file.tmp")
mv "$peer_file.tmp" "$peer_file"

# --- Check as a client would ---------------------------------------------------------------------------
author="$(php -r '$j = json_decode(file_get_contents($argv[1]), true);
  echo $j["author"]["username"], ":", $j["author"]["app_password"];' "$peer_file")"
status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -u "$author" "$URL/?rest_route=/wp/v2/users/me")"
[ "$status" = 200 ] || die "GET /wp/v2/users/me with the author's Application Password answers $status"
status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$URL/")"
[ "$status" = 200 ] || die "the front page answers $status (is wordpress-theme-twentytwentythree installed?)"
say "ready at $URL; accounts in $peer_file"
