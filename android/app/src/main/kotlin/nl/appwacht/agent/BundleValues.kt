package nl.appwacht.agent

import android.os.BaseBundle

/** A Bundle (managed configuration, provisioning extras) as the map [Settings.parse] reads. */
object BundleValues {
    private val NUMBERS = setOf(SettingKeys.SYNC_INTERVAL_MINUTES, SettingKeys.REQUEST_TIMEOUT_SECONDS, SettingKeys.REPORT_HISTORY)
    private val LISTS = setOf(SettingKeys.POLICY_URLS, SettingKeys.DEVICE_GROUPS)

    fun read(bundle: BaseBundle?): Map<String, Any?> {
        if (bundle == null) return emptyMap()
        val out = mutableMapOf<String, Any?>()
        for (key in SettingKeys.ALL) {
            if (!bundle.containsKey(key)) continue
            out[key] = when (key) {
                // EMM consoles send numbers as integers or as strings.
                in NUMBERS -> bundle.getString(key) ?: bundle.getInt(key, -1).takeIf { it >= 0 }
                in LISTS -> bundle.getStringArray(key) ?: bundle.getString(key)
                // A bool restriction arrives as a boolean; some consoles send "true"/"false".
                SettingKeys.WATCH_IN_FOREGROUND -> bundle.getString(key) ?: bundle.getBoolean(key, true)
                else -> bundle.getString(key)
            }
        }
        return out
    }
}
