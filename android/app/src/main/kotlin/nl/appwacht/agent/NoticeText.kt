package nl.appwacht.agent

import nl.appwacht.core.Notice

/** What a notification tells the employee: plain language, what happened, why, what to do. */
object NoticeText {
    /** "TikTok (com.zhiliaoapp.musically)": the name the employee knows, and the one that decides. */
    fun app(notice: Notice): String =
        if (notice.label.isBlank()) notice.`package` else "${notice.label} (${notice.`package`})"

    fun title(notice: Notice): String = when (notice.action) {
        "suspend" -> "${app(notice)} is blocked on your work phone"
        "hide" -> "${app(notice)} was hidden from your work phone"
        "uninstall" -> "${app(notice)} is being removed from your work phone"
        else -> "${app(notice)} is not allowed on your work phone"
    }

    fun body(notice: Notice): String {
        val why = notice.message.ifBlank { "Your organisation's policy does not allow this app on work phones." }
        val what = when (notice.action) {
            "warn" -> "Please remove it. If it stays, it will be blocked."
            "suspend" -> "It cannot be opened. Nothing else on your phone was changed."
            "hide" -> "It can no longer be opened or found. Your other apps are not affected."
            "uninstall" -> "It will be removed. Your other apps are not affected."
            else -> "Your organisation has been informed."
        }
        val more = if (notice.link.isNotBlank()) " More: ${notice.link}" else ""
        return "$why $what$more"
    }
}
