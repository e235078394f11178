# Jupyter Server settings for the course: ./start.sh reads this folder (JUPYTER_CONFIG_PATH), and on
# Binder, whose home folder is this repository, it is the user's own ~/.jupyter.
#
# Each lesson opened through its "Next →" link starts a kernel of its own (about 60 MiB). Stop a kernel
# that has had no activity for 20 minutes once no notebook tab is connected to it: each lesson ends by
# asking the learner to close it before opening the next, and a closed tab's kernel is then stopped, so a
# learner walking through the course keeps about one kernel. A kernel whose lesson is still open is never
# stopped: text typed into a lesson whose kernel has gone could not be saved. A kernel being stopped
# saves anything still waiting, so stopping an idle one loses no work.
c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file
c.MappingKernelManager.cull_idle_timeout = 20 * 60  # seconds without activity
c.MappingKernelManager.cull_interval = 60  # how often to look, in seconds
c.MappingKernelManager.cull_connected = False  # never a kernel whose notebook is open
