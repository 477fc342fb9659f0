<?php
/**
 * Idempotently sets up the accounts the test suite uses, and prints them as JSON on stdout:
 *   {"url": ..., "author": {"username", "app_password"}, "editor": {"username", "app_password"}}
 *
 * - `publicity` (role author): the account Publicity Desk posts as;
 * - `editor` (role editor): plays the outlet's staff, who publish (adopt) or trash our posts.
 * Each gets a fresh Application Password named "tests" (older ones of that name are revoked).
 * The site's timezone is set to Asia/Shanghai, so that code which confuses local and GMT dates fails.
 *
 * Usage: php ensure-users.php http://127.0.0.1:8080   (run by setup.sh, as root, no web server needed)
 */

if (PHP_SAPI !== 'cli') {
    exit(1);
}
$url = $argv[1] ?? 'http://127.0.0.1:8080';
$parts = parse_url($url);
$host = $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '');

// Debian's wp-config.php picks /etc/wordpress/config-<host>.php from HTTP_HOST.
$_SERVER['HTTP_HOST'] = $host;
$_SERVER['SERVER_NAME'] = $parts['host'];
$_SERVER['SERVER_PORT'] = (string) ($parts['port'] ?? 80);
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
define('WP_USE_THEMES', false);
require '/usr/share/wordpress/wp-load.php';

function fail($message)
{
    fwrite(STDERR, "ensure-users.php: $message\n");
    exit(1);
}

function ensure_user($login, $role)
{
    $user = get_user_by('login', $login);
    if (!$user) {
        $id = wp_insert_user([
            'user_login' => $login,
            'user_pass' => wp_generate_password(32),
            'user_email' => $login . '@example.org',
            'display_name' => $login,
            'role' => $role,
        ]);
        if (is_wp_error($id)) {
            fail("cannot create $login: " . $id->get_error_message());
        }
        $user = get_user_by('id', $id);
    } elseif ($user->roles !== [$role]) {
        $user->set_role($role);
    }
    foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
        if ($item['name'] === 'tests') {
            WP_Application_Passwords::delete_application_password($user->ID, $item['uuid']);
        }
    }
    $created = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => 'tests']);
    if (is_wp_error($created)) {
        fail("cannot create an application password for $login: " . $created->get_error_message());
    }
    return ['username' => $login, 'app_password' => $created[0]];
}

if (!wp_is_application_passwords_available()) {
    fail('Application Passwords are unavailable: is WP_ENVIRONMENT_TYPE "local" in /etc/wordpress/config-*.php?');
}
if (get_option('timezone_string') !== 'Asia/Shanghai') {
    update_option('timezone_string', 'Asia/Shanghai');
    update_option('gmt_offset', '');
}

echo json_encode(
    [
        'url' => $url,
        'author' => ensure_user('publicity', 'author'),
        'editor' => ensure_user('editor', 'editor'),
    ],
    JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES
), "\n";
