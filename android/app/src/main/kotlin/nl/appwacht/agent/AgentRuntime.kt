package nl.appwacht.agent

import android.content.Context
import android.util.Log
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import nl.appwacht.core.Agent
import nl.appwacht.core.AgentException
import nl.appwacht.core.EmployeeNotifier
import nl.appwacht.core.Notice
import nl.appwacht.core.ReportFormat

/**
 * The agent inside the app: one [Agent] per process, opened from the settings, one worker thread
 * so that scans never run on the main thread and never overlap, and one sender thread for the
 * compliance records, so that a slow collector never holds up the scan of a new install.
 */
object AgentRuntime {
    const val TAG = "appwacht"
    private const val PROVISIONED = "provisioned"

    val worker: ExecutorService = Executors.newSingleThreadExecutor()
    val sender: ExecutorService = Executors.newSingleThreadExecutor()

    @Volatile var agent: Agent? = null
        private set
    @Volatile var problems: List<String> = emptyList()
        private set
    @Volatile var supportMessage: String = Settings.DEFAULT_SUPPORT_MESSAGE
        private set
    @Volatile var intervalMinutes: Long = Settings.DEFAULT_INTERVAL_MINUTES
        private set
    /** Whether a delegate keeps watching in the foreground (managed configuration). */
    @Volatile var watchInForeground: Boolean = true
        private set

    /** Where the keyed app states go (the androidx.enterprise adapter on a phone); none by default. */
    @Volatile var reporter: KeyedStatusReporter? = null

    /** Provisioning extras saved at enrolment, as strings. */
    fun provisioned(context: Context): Map<String, Any?> {
        val prefs = context.getSharedPreferences(PROVISIONED, Context.MODE_PRIVATE)
        return SettingKeys.ALL.associateWith { prefs.getString(it, null) }.filterValues { it != null }
    }

    fun saveProvisioned(context: Context, values: Map<String, Any?>) {
        val editor = context.getSharedPreferences(PROVISIONED, Context.MODE_PRIVATE).edit()
        for ((k, v) in values) {
            val text = when (v) {
                is Array<*> -> v.joinToString("\n")
                null -> null
                else -> v.toString()
            }
            editor.putString(k, text)
        }
        editor.apply()
    }

    /** (Re)opens the agent from the provisioning extras and the managed configuration. */
    fun open(context: Context, managed: Map<String, Any?>, notifier: EmployeeNotifier, dataDir: String): Agent? {
        when (val result = Settings.parse(Settings.merge(provisioned(context), managed))) {
            is SettingsResult.Invalid -> {
                problems = result.problems
                agent = null
                Log.w(TAG, "not configured: " + result.problems.joinToString("; "))
            }
            is SettingsResult.Valid -> try {
                agent = Agent.open(dataDir, result.config, notifier)
                supportMessage = result.supportMessage
                watchInForeground = result.watchInForeground
                intervalMinutes = (result.config.syncIntervalSeconds.toLong() / 60).coerceAtLeast(Settings.MIN_INTERVAL_MINUTES)
                problems = emptyList()
            } catch (e: AgentException) {
                problems = listOf(e.message ?: e.toString())
                Log.e(TAG, "cannot open the agent", e)
            }
        }
        return agent
    }

    /** Runs `work` on the worker thread with the agent, if there is one; errors are logged, never thrown. */
    fun later(what: String, work: (Agent) -> Unit, done: () -> Unit = {}) {
        worker.execute {
            try {
                val a = agent
                if (a == null) {
                    Log.w(TAG, "$what skipped: not configured (${problems.joinToString("; ")})")
                } else {
                    work(a)
                    reporter?.report(EmmStatus.statesFor(a.status()))
                }
            } catch (e: AgentException) {
                Log.w(TAG, "$what failed: ${e.message}")
            } finally {
                done()
            }
        }
    }

    /**
     * Sends the waiting compliance records on the sender thread, then calls `done` (the job
     * finishes only after it, so the process is kept for it). Errors are logged: the records stay
     * queued and go with the next run.
     */
    fun deliver(what: String, done: () -> Unit = {}) {
        sender.execute {
            try {
                val result = agent?.deliverRecords()
                if (result != null && result.errors.isNotEmpty()) {
                    Log.w(TAG, "$what: ${result.errors.joinToString("; ")}; ${result.waiting} record(s) wait")
                }
            } catch (e: AgentException) {
                Log.w(TAG, "$what failed: ${e.message}")
            } finally {
                done()
            }
        }
    }

    /** The helpdesk's view, for dumpsys. */
    fun helpdesk(): HelpdeskAgent = object : HelpdeskAgent {
        private fun <T> guarded(block: (Agent) -> T): String = try {
            val a = agent ?: return "Appwacht is not configured:\n" + problems.joinToString("\n")
            block(a).toString()
        } catch (e: AgentException) {
            "failed: ${e.message}"
        }

        override fun report() = guarded { it.report(ReportFormat.TEXT) }
        override fun status() = guarded { it.statusText() }
        override fun scan() = guarded { it.fullScan() }
        override fun sync() = guarded { it.sync() }
        override fun explain(packageName: String) = guarded { it.explain(packageName) }
    }
}

/** Tells the employee through a notification. */
class NotificationNotifier(private val context: Context) : EmployeeNotifier {
    override fun notify(notice: Notice): Boolean = Notifications.post(context, notice)
}
