package nl.appwacht.agent

import android.app.job.JobInfo
import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.app.job.JobService
import android.content.ComponentName
import android.content.Context
import android.util.Log
import nl.appwacht.core.AgentException

/**
 * The periodic safety net: sync the policy, scan every app, then deliver the compliance records
 * (on the sender thread; the job ends after it). Persisted across reboots.
 */
class SyncJobService : JobService() {
    override fun onStartJob(params: JobParameters): Boolean {
        AgentRuntime.later("periodic sync and scan", { agent ->
            try {
                agent.sync()
            } catch (e: AgentException) {
                // The last good policy stays in force; the scan still runs.
                Log.w(AgentRuntime.TAG, "sync failed: ${e.message}")
            }
            agent.fullScan()
        }, { AgentRuntime.deliver("delivering records") { jobFinished(params, false) } })
        return true
    }

    override fun onStopJob(params: JobParameters): Boolean = true

    companion object {
        const val JOB_ID = 0x41770001

        /**
         * Schedules the periodic job unless the same one is already pending. `schedule` replaces a
         * job with the same id and stops it if it is running: called at every process start, it
         * would cancel the very job that started the process and push the next run a full period
         * away. So it is rescheduled only when the interval changed (or it is missing).
         */
        fun schedule(context: Context, configured: Boolean) {
            if (!configured) return
            val minutes = AgentRuntime.intervalMinutes
            val scheduler = context.getSystemService(Context.JOB_SCHEDULER_SERVICE) as JobScheduler
            val pending = scheduler.getPendingJob(JOB_ID)
            if (pending != null && pending.intervalMillis == minutes * 60_000L && pending.isPersisted) return
            val job = JobInfo.Builder(JOB_ID, ComponentName(context, SyncJobService::class.java))
                .setPeriodic(minutes * 60_000L)
                .setPersisted(true)
                .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)
                .build()
            if (scheduler.schedule(job) != JobScheduler.RESULT_SUCCESS) {
                Log.e(AgentRuntime.TAG, "the periodic job could not be scheduled")
            }
        }
    }
}
