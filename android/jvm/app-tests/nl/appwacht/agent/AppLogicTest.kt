package nl.appwacht.agent

import android.os.Bundle
import nl.appwacht.core.AgentStatus
import nl.appwacht.core.FindingOutcome
import nl.appwacht.core.FindingRecord
import nl.appwacht.core.Notice
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

/** The app's logic that is not a framework call: settings, dumpsys commands, what the employee reads, EMM states. */
class AppLogicTest {
    private val root = "{\"payload\": \"e30=\", \"payloadType\": \"application/vnd.appwacht.root+json\", \"signatures\": []}"
    private fun base(): Map<String, Any?> = mapOf(
        SettingKeys.ORGANISATION to "Gemeente Voorbeeld",
        SettingKeys.POLICY_URLS to arrayOf("https://policies.voorbeeld.nl/appwacht", "https://cdn.example.net/voorbeeld"),
        SettingKeys.PINNED_ROOT to root,
    )

    @Test
    fun settingsWithDefaults() {
        val r = Settings.parse(base()) as SettingsResult.Valid
        assertEquals(listOf("https://policies.voorbeeld.nl/appwacht", "https://cdn.example.net/voorbeeld"), r.config.policyUrls)
        assertEquals(360uL * 60uL, r.config.syncIntervalSeconds)
        assertEquals(10u, r.config.reportHistory)
        assertEquals(Settings.DEFAULT_SUPPORT_MESSAGE, r.supportMessage)
    }

    @Test
    fun settingsListsAndNumbersAsEmmConsolesSendThem() {
        val r = Settings.parse(base() + mapOf(
            SettingKeys.POLICY_URLS to "https://a.example/x,\n https://b.example/y",
            SettingKeys.DEVICE_GROUPS to "inspection, permits",
            SettingKeys.SYNC_INTERVAL_MINUTES to "60",
            SettingKeys.REQUEST_TIMEOUT_SECONDS to 30,
            SettingKeys.EMM_PACKAGE to "com.airwatch.androidagent",
        )) as SettingsResult.Valid
        assertEquals(listOf("https://a.example/x", "https://b.example/y"), r.config.policyUrls)
        assertEquals(listOf("inspection", "permits"), r.config.groups)
        assertEquals(3600uL, r.config.syncIntervalSeconds)
        assertEquals(30uL, r.config.requestTimeoutSeconds)
        assertEquals("com.airwatch.androidagent", r.config.emmPackage)
    }

    @Test
    fun recordSinksPassThroughAndAPlainSyslogAddressIsRefused() {
        val r = Settings.parse(base() + mapOf(
            SettingKeys.SYSLOG_URL to "syslog+tls://logs.voorbeeld.nl:6514",
            SettingKeys.OTLP_LOGS_URL to "https://collector.voorbeeld.nl:4318/v1/logs",
            SettingKeys.RECORDS_TOKEN to "t0ken",
            SettingKeys.RECORD_QUEUE_LIMIT to "2000",
        )) as SettingsResult.Valid
        assertEquals("syslog+tls://logs.voorbeeld.nl:6514", r.config.syslogUrl)
        assertEquals("https://collector.voorbeeld.nl:4318/v1/logs", r.config.otlpLogsUrl)
        assertEquals("t0ken", r.config.recordsToken)
        assertEquals(2000uL, r.config.recordQueueLimit)
        val bad = Settings.parse(base() + mapOf(
            SettingKeys.SYSLOG_URL to "logs.voorbeeld.nl:514",
            SettingKeys.OTLP_LOGS_URL to "http://collector.voorbeeld.nl/v1/logs",
            SettingKeys.RECORD_QUEUE_LIMIT to 5,
        )) as SettingsResult.Invalid
        val text = bad.problems.joinToString("\n")
        assertTrue(text, text.contains("syslog_url: `logs.voorbeeld.nl:514` is not a syslog+tls://"))
        assertTrue(text, text.contains("otlp_logs_url: `http://collector.voorbeeld.nl/v1/logs` is not an https:// URL"))
        assertTrue(text, text.contains("record_queue_limit: `5` is not a number from 100"))
    }

    @Test
    fun everySettingsProblemIsNamedByItsKey() {
        val r = Settings.parse(mapOf(
            SettingKeys.POLICY_URLS to "http://insecure.example",
            SettingKeys.SYNC_INTERVAL_MINUTES to "5",
            SettingKeys.PINNED_ROOT to "not json",
        )) as SettingsResult.Invalid
        val text = r.problems.joinToString("\n")
        assertTrue(text, text.contains("organisation: the organisation must be named"))
        assertTrue(text, text.contains("policy_urls: `http://insecure.example` is not an https:// URL"))
        assertTrue(text, text.contains("pinned_root"))
        assertTrue(text, text.contains("sync_interval_minutes: `5` is not a number from 15"))
    }

    @Test
    fun managedConfigurationWinsOverProvisioningExtrasKeyByKey() {
        val merged = Settings.merge(base(), mapOf(SettingKeys.ORGANISATION to "Gemeente Anders", SettingKeys.DEVICE_ID to ""))
        assertEquals("Gemeente Anders", merged[SettingKeys.ORGANISATION])
        assertEquals(root, merged[SettingKeys.PINNED_ROOT])
        assertFalse(merged.containsKey(SettingKeys.DEVICE_ID))
    }

    @Test
    fun aBundleIsReadAsTheSettingsMap() {
        val b = Bundle()
        b.putString(SettingKeys.ORGANISATION, "Gemeente Voorbeeld")
        b.putStringArray(SettingKeys.POLICY_URLS, arrayOf("https://a.example"))
        b.putInt(SettingKeys.SYNC_INTERVAL_MINUTES, 30)
        b.putString("unrelated", "ignored")
        val values = BundleValues.read(b)
        assertEquals("Gemeente Voorbeeld", values[SettingKeys.ORGANISATION])
        assertEquals(30, values[SettingKeys.SYNC_INTERVAL_MINUTES])
        assertFalse(values.containsKey("unrelated"))
        assertEquals(listOf("https://a.example"), (values[SettingKeys.POLICY_URLS] as Array<*>).toList())
    }

    private val helpdesk = object : HelpdeskAgent {
        override fun report() = "REPORT"
        override fun status() = "STATUS"
        override fun scan() = "SCAN"
        override fun sync() = "SYNC"
        override fun explain(packageName: String) = "EXPLAIN $packageName"
    }

    @Test
    fun dumpsysCommands() {
        assertEquals("REPORT", DumpCommands.run(arrayOf(), helpdesk))
        assertEquals("STATUS", DumpCommands.run(arrayOf("status"), helpdesk))
        assertEquals("SCAN", DumpCommands.run(arrayOf("SCAN"), helpdesk))
        assertEquals("SYNC", DumpCommands.run(arrayOf("sync"), helpdesk))
        assertEquals("EXPLAIN com.tencent.mm", DumpCommands.run(arrayOf("explain", "com.tencent.mm"), helpdesk))
        assertTrue(DumpCommands.run(arrayOf("explain"), helpdesk).startsWith("`explain` needs one package name"))
        assertTrue(DumpCommands.run(arrayOf("explain", "not a package"), helpdesk).startsWith("`not a package` is not a package name"))
        assertTrue(DumpCommands.run(arrayOf("reboot"), helpdesk).startsWith("unknown command `reboot`"))
        assertTrue(DumpCommands.run(arrayOf("help"), helpdesk).startsWith("Appwacht helpdesk commands:"))
    }

    @Test
    fun whatTheEmployeeReads() {
        val blocked = Notice("com.zhiliaoapp.musically", "TikTok", "suspend", "Apps from this company are not allowed on work phones.", "https://intranet.example/apps")
        assertEquals("TikTok (com.zhiliaoapp.musically) is blocked on your work phone", NoticeText.title(blocked))
        val body = NoticeText.body(blocked)
        assertTrue(body, body.startsWith("Apps from this company are not allowed on work phones. It cannot be opened."))
        assertTrue(body, body.endsWith("More: https://intranet.example/apps"))
        val warned = Notice("org.fdroid.fdroid", "", "warn", "", "")
        assertEquals("org.fdroid.fdroid is not allowed on your work phone", NoticeText.title(warned))
        assertEquals("Your organisation's policy does not allow this app on work phones. Please remove it. If it stays, it will be blocked.", NoticeText.body(warned))
    }

    private fun status(compliant: Boolean, rootExpires: String? = "2027-06-01T00:00:00Z", rootExpiresInDays: Long? = 180) = AgentStatus(
        compliant = compliant,
        policyVersion = 4uL,
        mode = "enforce",
        policyExpires = "2026-12-06T12:00:00Z",
        stale = false,
        rulesHash = "5708be48d0e88b03",
        lastSync = "2026-11-22T12:00:00Z",
        lastSyncError = null,
        clockProblem = null,
        storeRecovered = null,
        findings = if (compliant) emptyList() else listOf(
            FindingRecord("com.zhiliaoapp.musically", FindingOutcome.DENIED, "annex-a", "suspend", "rule `annex-a`: …", "Not allowed.", "https://intranet.example", "2026-11-22T12:00:00Z", null, "TikTok", null, null),
            FindingRecord("com.tencent.mm", FindingOutcome.EXCEPTED, "annex-a", null, "exception", null, null, "2026-11-22T12:00:00Z", null, null, null, null),
        ),
        deviceSettings = emptyList(),
        management = null,
        rootExpires = rootExpires,
        rootExpiresInDays = rootExpiresInDays,
        recordsWaiting = 0uL,
        recordsDropped = 0uL,
        recordSinksFailing = emptyList(),
    )

    /** Issue 15: a phone whose records cannot reach the log server is missing from the fleet view. */
    @Test
    fun recordsThatCannotBeDeliveredReachTheEmm() {
        assertTrue(EmmStatus.statesFor(status(true)).none { it.key == "records" })
        val failing = status(true).copy(recordsWaiting = 42uL, recordSinksFailing = listOf("syslog+tls://logs.voorbeeld.nl:6514: timed out"))
        val state = EmmStatus.statesFor(failing).single { it.key == "records" }
        assertTrue(state.error)
        assertEquals("42 record(s) waiting", state.message)
        assertEquals("syslog+tls://logs.voorbeeld.nl:6514: timed out", state.data)
        val dropped = EmmStatus.statesFor(status(true).copy(recordsWaiting = 10000uL, recordsDropped = 17uL)).single { it.key == "records" }
        assertEquals("10000 record(s) waiting; 17 given up by a full queue", dropped.message)
    }

    @Test
    fun emmKeyedStatesRespectTheLimits() {
        val states = EmmStatus.statesFor(status(false))
        assertEquals(listOf("compliance", "policy", "sync", "app:com.zhiliaoapp.musically"), states.map { it.key })
        assertTrue(states[0].error)
        assertEquals("com.zhiliaoapp.musically", states[0].data)
        val long = status(false).copy(lastSyncError = "x".repeat(5000))
        assertTrue(EmmStatus.statesFor(long).all { it.message.length <= EmmStatus.MAX_TEXT && it.key.length <= EmmStatus.MAX_KEY })
        assertFalse(EmmStatus.statesFor(status(true))[0].error)
    }

    @Test
    fun aClockProblemReachesTheEmm() {
        val clock = status(true).copy(clockProblem = "the phone's clock (2027-12-01T00:00:00Z) is 360 days past every signed time")
        val state = EmmStatus.statesFor(clock).single { it.key == "clock" }
        assertTrue(state.error)
        assertTrue(state.message, state.message.contains("past every signed time"))
        assertTrue(EmmStatus.statesFor(status(true)).none { it.key == "clock" })
    }

    /** Issue 14.6: a root about to lapse (or lapsed) reaches the EMM's administrator. */
    @Test
    fun aRootAboutToExpireReachesTheEmm() {
        assertTrue(EmmStatus.statesFor(status(true)).none { it.key == "root" })
        val soon = EmmStatus.statesFor(status(true, "2026-12-20T00:00:00Z", 18)).single { it.key == "root" }
        assertTrue(soon.error)
        assertTrue(soon.message, soon.message.startsWith("the root expires in 18 day(s), on 2026-12-20T00:00:00Z"))
        val lapsed = EmmStatus.statesFor(status(true, "2026-11-20T00:00:00Z", -12)).single { it.key == "root" }
        assertTrue(lapsed.message, lapsed.message.startsWith("the root expired on 2026-11-20T00:00:00Z"))
    }

    @Test
    fun theComplianceScreen() {
        val lines = ComplianceScreen.lines(status(false), emptyList()).map { it.text }
        assertEquals("1 app(s) are not allowed", lines[0])
        assertTrue(lines.contains("TikTok (com.zhiliaoapp.musically): suspend since 2026-11-22T12:00:00Z"))
        assertTrue(lines.contains("More: https://intranet.example"))
        assertTrue(lines.contains("Policy version 4, valid until 2026-12-06T12:00:00Z"))
        val unconfigured = ComplianceScreen.lines(null, listOf("policy_urls: at least one https:// URL is needed")).map { it.text }
        assertEquals("Not configured yet", unconfigured[0])
        assertTrue(unconfigured.contains("policy_urls: at least one https:// URL is needed"))
    }

    @Test
    fun packageNamesFromBroadcastData() {
        assertEquals("com.example.app", PackageReceiver.packageOf("package:com.example.app"))
        assertEquals(null, PackageReceiver.packageOf("file:///sdcard/x"))
        assertEquals(null, PackageReceiver.packageOf(null))
        assertEquals(null, PackageReceiver.packageOf("package:"))
    }
}
