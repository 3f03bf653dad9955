package nl.appwacht.agent

import android.app.Activity
import android.content.Intent
import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import nl.appwacht.core.AgentException
import nl.appwacht.core.FindingOutcome
import nl.appwacht.core.ReportFormat

/** The employee's screen: compliant or not, each blocked app with the reason and the rule's link, policy, last sync. */
class ComplianceActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        // A visible activity may start a foreground service (Android 12+): a delegate that could
        // not start watching in the background starts now.
        WatchService.startIfWanted(this, AgentRuntime.watchInForeground)
        val column = LinearLayout(this)
        column.setOrientation(LinearLayout.VERTICAL)
        column.setPadding(32, 32, 32, 32)
        for (line in ComplianceScreen.lines(AgentRuntime.agent?.let { runCatching { it.status() }.getOrNull() }, AgentRuntime.problems)) {
            val text = TextView(this)
            text.setText(line.text)
            text.setTextSize(if (line.heading) 20f else 15f)
            column.addView(text)
        }
        val share = Button(this)
        share.setText("Share compliance report")
        share.setOnClickListener(View.OnClickListener { shareReport() })
        column.addView(share)
        val scroll = ScrollView(this)
        scroll.addView(column)
        setContentView(scroll)
    }

    /** Exports the self-contained HTML report (for the service desk). */
    private fun shareReport() {
        val html = try {
            AgentRuntime.agent?.report(ReportFormat.HTML)
        } catch (e: AgentException) {
            null
        } ?: return
        val send = Intent(Intent.ACTION_SEND)
            .setType("text/html")
            .putExtra(Intent.EXTRA_SUBJECT, "Appwacht compliance report")
            .putExtra(Intent.EXTRA_TEXT, html)
        startActivity(Intent.createChooser(send, "Share compliance report"))
    }
}

/** What the compliance screen shows, line by line (kept apart from the views so it is testable). */
object ComplianceScreen {
    data class Line(val text: String, val heading: Boolean = false)

    fun lines(status: nl.appwacht.core.AgentStatus?, problems: List<String>): List<Line> {
        if (status == null) {
            return listOf(Line("Not configured yet", true)) + problems.map { Line(it) } +
                Line("Your organisation's device management sets Appwacht up. Contact the service desk if this stays.")
        }
        val out = mutableListOf<Line>()
        val denied = status.findings.filter { it.outcome == FindingOutcome.DENIED }
        out.add(Line(if (status.compliant) "Your work phone complies with the policy" else "${denied.size} app(s) are not allowed", true))
        for (f in denied) {
            val app = f.label?.let { "$it (${f.`package`})" } ?: f.`package`
            out.add(Line("$app: ${f.action ?: "reported"} since ${f.since}", true))
            out.add(Line(f.message ?: f.reason))
            f.link?.let { out.add(Line("More: $it")) }
            f.notTold?.let { out.add(Line("Appwacht could not notify you about this app ($it). Turn on its notifications.")) }
            f.emmRequest?.let { out.add(Line("Your organisation's device management has been asked to remove it.")) }
        }
        status.management?.let { m ->
            if (m.monitorOnly) out.add(Line("Appwacht only watches on this phone: it cannot block apps here. Your organisation sees the same list.", true))
            if (m.workProfile) out.add(Line("Appwacht sees the apps of your work profile only, never your personal apps."))
        }
        val policy = status.policyVersion?.let { "Policy version $it" + (status.policyExpires?.let { e -> ", valid until $e" } ?: "") + if (status.stale) " (expired: waiting for a new one)" else "" }
        out.add(Line(policy ?: "No policy received yet"))
        out.add(Line("Last update: ${status.lastSync ?: "never"}" + (status.lastSyncError?.let { " (last attempt failed: $it)" } ?: "")))
        return out
    }
}
