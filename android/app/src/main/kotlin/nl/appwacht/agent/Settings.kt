package nl.appwacht.agent

import nl.appwacht.core.AgentConfig

/** The keys an administrator sets: managed configuration (res/xml/app_restrictions.xml) or provisioning extras. */
object SettingKeys {
    const val ORGANISATION = "organisation"
    const val POLICY_URLS = "policy_urls"
    const val PINNED_ROOT = "pinned_root"
    const val DEVICE_ID = "device_id"
    const val DEVICE_GROUPS = "device_groups"
    const val SYNC_INTERVAL_MINUTES = "sync_interval_minutes"
    const val EMM_PACKAGE = "emm_package"
    const val CA_CERTIFICATES = "ca_certificates"
    const val REQUEST_TIMEOUT_SECONDS = "request_timeout_seconds"
    const val REPORT_HISTORY = "report_history"
    const val SUPPORT_MESSAGE = "support_message"
    const val WATCH_IN_FOREGROUND = "watch_in_foreground"
    const val SYSLOG_URL = "syslog_url"
    const val OTLP_LOGS_URL = "otlp_logs_url"
    const val RECORDS_TOKEN = "records_token"
    const val RECORDS_CLIENT_CERTIFICATE = "records_client_certificate"
    const val RECORD_QUEUE_LIMIT = "record_queue_limit"

    val ALL = listOf(
        ORGANISATION, POLICY_URLS, PINNED_ROOT, DEVICE_ID, DEVICE_GROUPS, SYNC_INTERVAL_MINUTES, EMM_PACKAGE,
        CA_CERTIFICATES, REQUEST_TIMEOUT_SECONDS, REPORT_HISTORY, SUPPORT_MESSAGE, WATCH_IN_FOREGROUND,
        SYSLOG_URL, OTLP_LOGS_URL, RECORDS_TOKEN, RECORDS_CLIENT_CERTIFICATE, RECORD_QUEUE_LIMIT,
    )
}

/** The agent's settings, or every problem with them (each naming the key). */
sealed class SettingsResult {
    data class Valid(val config: AgentConfig, val supportMessage: String, val watchInForeground: Boolean = true) : SettingsResult()
    data class Invalid(val problems: List<String>) : SettingsResult()
}

/**
 * Reads the settings from a Bundle-shaped map (what RestrictionsManager and the provisioning extras
 * hold): strings, string arrays, integers. Lists may be a string array or one string separated by
 * commas or new lines, because EMM consoles differ in what they offer.
 */
object Settings {
    /** JobScheduler does not run periodic jobs more often than every 15 minutes. */
    const val MIN_INTERVAL_MINUTES = 15L
    const val DEFAULT_INTERVAL_MINUTES = 360L
    const val DEFAULT_SUPPORT_MESSAGE =
        "This app is blocked by your organisation's policy for work phones. Open Appwacht to see why, or contact the service desk."

    fun parse(values: Map<String, Any?>): SettingsResult {
        val problems = mutableListOf<String>()
        fun text(key: String): String? = when (val v = values[key]) {
            null -> null
            is String -> v.trim().ifEmpty { null }
            else -> v.toString().trim().ifEmpty { null }
        }
        fun list(key: String): List<String> = when (val v = values[key]) {
            null -> emptyList()
            is Array<*> -> v.mapNotNull { (it as? String)?.trim()?.ifEmpty { null } }
            is Collection<*> -> v.mapNotNull { (it as? String)?.trim()?.ifEmpty { null } }
            else -> v.toString().split(',', '\n').map { it.trim() }.filter { it.isNotEmpty() }
        }
        fun number(key: String, default: Long, range: LongRange): Long {
            val raw = values[key] ?: return default
            val n = when (raw) {
                is Number -> raw.toLong()
                else -> raw.toString().trim().toLongOrNull()
            }
            if (n == null || n !in range) {
                problems.add("$key: `$raw` is not a number from ${range.first} to ${range.last}")
                return default
            }
            return n
        }

        val organisation = text(SettingKeys.ORGANISATION)
        if (organisation == null) problems.add("${SettingKeys.ORGANISATION}: the organisation must be named")
        val urls = list(SettingKeys.POLICY_URLS)
        if (urls.isEmpty()) problems.add("${SettingKeys.POLICY_URLS}: at least one https:// URL is needed")
        urls.filterNot { it.startsWith("https://") }.forEach { problems.add("${SettingKeys.POLICY_URLS}: `$it` is not an https:// URL") }
        val root = text(SettingKeys.PINNED_ROOT)
        if (root == null || !root.startsWith("{")) problems.add("${SettingKeys.PINNED_ROOT}: the pinned root (a signed root document, JSON) is missing")
        val interval = number(SettingKeys.SYNC_INTERVAL_MINUTES, DEFAULT_INTERVAL_MINUTES, MIN_INTERVAL_MINUTES..10_080L)
        val timeout = number(SettingKeys.REQUEST_TIMEOUT_SECONDS, 60, 1L..3600L)
        val history = number(SettingKeys.REPORT_HISTORY, 10, 1L..1000L)
        val watch = when (val raw = values[SettingKeys.WATCH_IN_FOREGROUND]) {
            null -> true
            is Boolean -> raw
            else -> when (raw.toString().trim().lowercase()) {
                "true", "1", "yes", "" -> true
                "false", "0", "no" -> false
                else -> {
                    problems.add("${SettingKeys.WATCH_IN_FOREGROUND}: `$raw` is not true or false")
                    true
                }
            }
        }
        // Where compliance records go (docs/FLEET.md): TLS only, as the core checks again.
        val syslog = text(SettingKeys.SYSLOG_URL)
        if (syslog != null && !syslog.startsWith("syslog+tls://") && !syslog.startsWith("tls://")) {
            problems.add("${SettingKeys.SYSLOG_URL}: `$syslog` is not a syslog+tls://host:port address (records are sent over TLS only)")
        }
        val otlp = text(SettingKeys.OTLP_LOGS_URL)
        if (otlp != null && !otlp.startsWith("https://")) problems.add("${SettingKeys.OTLP_LOGS_URL}: `$otlp` is not an https:// URL")
        val queueLimit = values[SettingKeys.RECORD_QUEUE_LIMIT]?.let { number(SettingKeys.RECORD_QUEUE_LIMIT, 10_000, 100L..1_000_000L) }
        if (problems.isNotEmpty()) return SettingsResult.Invalid(problems)
        return SettingsResult.Valid(
            AgentConfig(
                organisation = organisation!!,
                policyUrls = urls,
                pinnedRoot = root!!,
                deviceId = text(SettingKeys.DEVICE_ID) ?: "",
                groups = list(SettingKeys.DEVICE_GROUPS),
                syncIntervalSeconds = (interval * 60).toULong(),
                emmPackage = text(SettingKeys.EMM_PACKAGE),
                caCertificates = text(SettingKeys.CA_CERTIFICATES),
                requestTimeoutSeconds = timeout.toULong(),
                reportHistory = history.toUInt(),
                syslogUrl = syslog,
                otlpLogsUrl = otlp,
                recordsToken = text(SettingKeys.RECORDS_TOKEN),
                recordsClientCertificate = text(SettingKeys.RECORDS_CLIENT_CERTIFICATE),
                recordQueueLimit = queueLimit?.toULong(),
            ),
            text(SettingKeys.SUPPORT_MESSAGE) ?: DEFAULT_SUPPORT_MESSAGE,
            watch,
        )
    }

    /** Managed configuration wins over provisioning extras, key by key. */
    fun merge(provisioned: Map<String, Any?>, managed: Map<String, Any?>): Map<String, Any?> =
        provisioned + managed.filterValues { it != null && it.toString().isNotBlank() }
}
