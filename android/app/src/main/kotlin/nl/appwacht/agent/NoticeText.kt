package nl.appwacht.agent

import nl.appwacht.core.Notice

/** What a notification tells the employee: plain language, what happened, why, what to do. */
object NoticeText {
    fun title(notice: Notice): String = when (notice.action) {
        "suspend" -> "${notice.`package`} is blocked on your work phone"
        "hide" -> "${notice.`package`} was hidden from your work phone"
        "uninstall" -> "${notice.`package`} is being removed from your work phone"
        else -> "${notice.`package`} is not allowed on your work phone"
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
