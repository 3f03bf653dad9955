package nl.appwacht.agent

import android.app.Service
import android.content.Intent
import android.os.IBinder
import java.io.FileDescriptor
import java.io.PrintWriter

/**
 * The helpdesk's door: `adb shell dumpsys activity service nl.appwacht.agent/.DumpService [command]`
 * prints the full report, or runs `status`, `scan`, `sync`, `explain <package>` (see [DumpCommands]).
 */
class DumpService : Service() {
    override fun onBind(intent: Intent): IBinder? = null

    override fun dump(fd: FileDescriptor, writer: PrintWriter, args: Array<String>?) {
        // Commands that scan or sync run on the worker thread, so they never overlap a scheduled one.
        val answer = AgentRuntime.worker.submit<String> { DumpCommands.run(args ?: emptyArray(), AgentRuntime.helpdesk()) }
        writer.println(answer.get())
    }
}
