/*
 * p2prun: runs a p2pviz scenario (language v1, `upstream` design) for real inside the lab guest.
 *
 * The controller (PID 1 after /init) reads the scenario, performs each statement and prints one
 * machine-readable line per statement on the console:
 *
 *   P2PRUN STEP <line> <result> <dev>=<available bytes|gone> ...
 *   P2PRUN REFS <line> <dev> <first-last:ref:map> ...        (only with the debug_pages patch)
 *
 * Scenario devices map to NVMe controllers with a CMB, in declaration order: the host gives device i
 * the serial "p2pviz-dev<i>". A second controller, serial "p2pviz-peer" (no CMB), sits behind the
 * same emulated PCIe switch, so pci_p2pdma_distance() accepts it as a client of every device: its
 * namespace nsid 1 serves O_DIRECT pins whose own device is gone, and its namespace nsid 2+i, on a
 * throttled drive, serves the held pins into device i. Scenario processes are real processes
 * ("workers", `p2prun --worker`), each driven over a pair of FIFOs; `fork` is a real fork() of the
 * worker.
 *
 * `pin`: an O_DIRECT read into the range (FOLL_PIN|FOLL_PCI_P2PDMA through the block layer). When
 * the next statement is its `unpin`, one pread from the device's own namespace does pin, I/O and
 * unpin; otherwise the read comes from the peer controller's throttled namespace and is kept in
 * flight until `unpin` (do_hold), so the pin is held across statements by I/O that does not belong
 * to the provider: unbinding the provider cannot drain it.
 *
 * `unbind`: the sysfs write runs in a thread of the controller. If it has not returned after
 * UNBIND_WAIT_MS the statement's result is "blocked" (the kernel waits in memunmap_pages() for a
 * pinned page) and the scenario goes on; after each later `unpin` or `exit` the controller waits up
 * to UNBIND_SETTLE_MS for the blocked unbind to finish, and reports when it did (P2PRUN UNBOUND).
 *
 * Each mmap label gets its own 8 GiB slot of address space (MAP_FIXED_NOREPLACE), so a label names
 * the same addresses in every process that inherits it and nothing else is ever mapped next to it:
 * touching past a label's end, or in a label whose mmap failed, finds no VMA (SIGSEGV), as in the
 * model.
 *
 * Build: gcc -static -O2 -o p2prun p2prun.c
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#endif

#define MAXNAME 40
#define UNBIND_WAIT_MS 3000
#define UNBIND_SETTLE_MS 8000
#define MAXDEV 16
#define MAXPROC 256
#define MAXLABEL 512
#define MAXPIN 512
#define SLOT_BASE 0x100000000000UL /* 16 TiB */
#define SLOT_STRIDE 0x200000000UL  /* 8 GiB: larger than the largest device (4G) */
#define PAGE 4096UL

extern char **environ;

/* ------------------------------------------------------------------ output */

static void out(const char *fmt, ...) {
  char buf[8192];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n >= (int)sizeof buf) n = sizeof buf - 1;
  /* one write per line, so lines from several processes never interleave mid-line */
  ssize_t w = write(1, buf, (size_t)n);
  (void)w;
}

static const char *errname(int e) {
  switch (e) {
  case 0: return "ok";
  case EPERM: return "EPERM";
  case ENOENT: return "ENOENT";
  case EIO: return "EIO";
  case ENXIO: return "ENXIO";
  case EBADF: return "EBADF";
  case EAGAIN: return "EAGAIN";
  case ENOMEM: return "ENOMEM";
  case EACCES: return "EACCES";
  case EFAULT: return "EFAULT";
  case EBUSY: return "EBUSY";
  case EEXIST: return "EEXIST";
  case ENODEV: return "ENODEV";
  case EINVAL: return "EINVAL";
  case ENOSPC: return "ENOSPC";
  case ENOSYS: return "ENOSYS";
  case EOPNOTSUPP: return "EOPNOTSUPP";
  case EREMOTEIO: return "EREMOTEIO";
  case ENOTBLK: return "ENOTBLK";
  case EOVERFLOW: return "EOVERFLOW";
  default: {
    static char b[32];
    snprintf(b, sizeof b, "E%d", e);
    return b;
  }
  }
}

/* ------------------------------------------------------------------ worker */

static sigjmp_buf touch_env;
static volatile sig_atomic_t touch_sig;

static void touch_handler(int sig) {
  touch_sig = sig;
  siglongjmp(touch_env, 1);
}

static int wr_all(int fd, const char *s) {
  size_t n = strlen(s);
  while (n) {
    ssize_t w = write(fd, s, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    s += w;
    n -= (size_t)w;
  }
  return 0;
}

/* reads one '\n'-terminated line; returns length, 0 on EOF */
static int rd_line(int fd, char *buf, int max) {
  int n = 0;
  while (n < max - 1) {
    char c;
    ssize_t r = read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (c == '\n') {
      buf[n] = 0;
      return n + 1;
    }
    buf[n++] = c;
  }
  buf[n] = 0;
  return n;
}

struct ring {
  int used;
  int fd;
};
static struct ring rings[MAXPIN];

struct io_uring_params_min {
  uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
  uint64_t sq_off[5];
  uint64_t cq_off[5];
};

static const char *do_vmsplice(unsigned long addr, unsigned long len) {
  int p[2];
  if (pipe2(p, O_NONBLOCK) < 0) return errname(errno);
  fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
  unsigned long done = 0;
  int err = 0;
  char sink[65536];
  while (done < len) {
    struct iovec iov = {(void *)(addr + done), len - done};
    ssize_t n = vmsplice(p[1], &iov, 1, SPLICE_F_NONBLOCK);
    if (n < 0) {
      if (errno == EAGAIN) {
        if (read(p[0], sink, sizeof sink) > 0) continue;
      }
      err = errno;
      break;
    }
    done += (unsigned long)n;
    while (read(p[0], sink, sizeof sink) > 0) {
    }
  }
  close(p[0]);
  close(p[1]);
  return errname(err);
}

static const char *do_uring_register(int slot, unsigned long addr, unsigned long len) {
  struct io_uring_params_min params;
  memset(&params, 0, sizeof params);
  int fd = (int)syscall(__NR_io_uring_setup, 1, &params);
  if (fd < 0) return errname(errno);
  struct iovec iov = {(void *)addr, len};
  long r = syscall(__NR_io_uring_register, fd, 0 /* IORING_REGISTER_BUFFERS */, &iov, 1);
  if (r < 0) {
    int e = errno;
    close(fd);
    return errname(e);
  }
  if (slot >= 0 && slot < MAXPIN) {
    rings[slot].used = 1;
    rings[slot].fd = fd;
  }
  return "ok";
}

/*
 * A pin held across statements: an O_DIRECT read into the range from the peer controller's
 * namespace for this device, whose QEMU drive is throttled. A dummy read into host memory first fills the throttle
 * bucket, so the real read waits in QEMU for seconds while its pages stay pinned (FOLL_PIN, +1024
 * each, taken when the bio is built). A thread of the worker issues it, so the worker keeps taking
 * commands; `unpin` joins the thread, i.e. waits for the I/O to complete.
 */
struct held {
  int used;
  pthread_t th;
  int fd;
  unsigned long addr, len;
  volatile int done;
  ssize_t ret;
  int err;
};
static struct held helds[MAXPIN];

static void *held_thread(void *arg) {
  struct held *h = arg;
  ssize_t n = pread(h->fd, (void *)h->addr, h->len, 0);
  h->err = n < 0 ? errno : 0;
  h->ret = n;
  __atomic_store_n(&h->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

static const char *held_result(struct held *h) {
  static char b[48];
  if (h->ret < 0) return errname(h->err);
  if ((unsigned long)h->ret == h->len) return "ok";
  snprintf(b, sizeof b, "short:%zd", h->ret);
  return b;
}

#define HOLD_DUMMY (192 * 1024)

static const char *do_hold(int slot, int fd, unsigned long addr, unsigned long len) {
  if (slot < 0 || slot >= MAXPIN) return "EINVAL";
  static char *dummy;
  if (!dummy && posix_memalign((void **)&dummy, 4096, HOLD_DUMMY)) return "ENOMEM";
  /* fill the throttle bucket: this read itself passes at once */
  if (pread(fd, dummy, HOLD_DUMMY, 0) < 0) return errname(errno);
  struct held *h = &helds[slot];
  memset(h, 0, sizeof *h);
  h->fd = fd;
  h->addr = addr;
  h->len = len;
  if (pthread_create(&h->th, NULL, held_thread, h)) return "EAGAIN";
  h->used = 1;
  /* a GUP failure (EFAULT, EREMOTEIO) or a short pin returns at once; a good pin stays in flight */
  for (int i = 0; i < 40 && !__atomic_load_n(&h->done, __ATOMIC_ACQUIRE); i++) usleep(5000);
  if (__atomic_load_n(&h->done, __ATOMIC_ACQUIRE)) {
    pthread_join(h->th, NULL);
    h->used = 0;
    return held_result(h);
  }
  return "ok";
}

static const char *do_release(int slot) {
  if (slot < 0 || slot >= MAXPIN || !helds[slot].used) return "ok";
  /* the read should still be in flight; if it is not, the pin ended before its unpin */
  int early = __atomic_load_n(&helds[slot].done, __ATOMIC_ACQUIRE);
  pthread_join(helds[slot].th, NULL);
  helds[slot].used = 0;
  const char *r = held_result(&helds[slot]);
  /* the I/O's own outcome is reported by the controller as a note, `unpin` itself is ok */
  static char b[64];
  snprintf(b, sizeof b, "ok io=%s%s", r, early ? ",ended-before-unpin" : "");
  return b;
}

static int worker_open(const char *cmd_path, const char *rep_path, int *cmd, int *rep) {
  *cmd = open(cmd_path, O_RDONLY);
  if (*cmd < 0) return -1;
  *rep = open(rep_path, O_WRONLY);
  if (*rep < 0) return -1;
  return 0;
}

/*
 * Commands (one line each), replies "R <result>":
 *   MMAP addr len shared(0/1) off fd | TOUCH addr | MUNMAP addr len | ODIRECT nsfd addr len
 *   VMSPLICE addr len | URING slot addr len | UNURING slot | FORK cmdfifo repfifo | EXIT
 */
static int worker_main(const char *cmd_path, const char *rep_path) {
  int cmd, rep;
  if (worker_open(cmd_path, rep_path, &cmd, &rep) < 0) return 111;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = touch_handler;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  wr_all(rep, "R ready\n");
  char line[512], reply[600];
  for (;;) {
    if (rd_line(cmd, line, sizeof line) <= 0) _exit(0);
    char op[16] = "";
    unsigned long a = 0, b = 0, c = 0, d = 0, e = 0;
    char s1[256] = "", s2[256] = "";
    sscanf(line, "%15s", op);
    const char *res = "EINVAL";
    if (!strcmp(op, "MMAP")) {
      sscanf(line, "%*s %lx %lu %lu %lu %lu", &a, &b, &c, &d, &e);
      void *p = mmap((void *)a, b, PROT_READ | PROT_WRITE,
                     (c ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED_NOREPLACE, (int)e, (off_t)d);
      if (p == MAP_FAILED) res = errname(errno);
      else if ((unsigned long)p != a) {
        munmap(p, b);
        res = "EEXIST";
      } else res = "ok";
    } else if (!strcmp(op, "TOUCH")) {
      sscanf(line, "%*s %lx", &a);
      touch_sig = 0;
      if (sigsetjmp(touch_env, 1) == 0) {
        volatile unsigned char v = *(volatile unsigned char *)a;
        (void)v;
        res = "ok";
      } else res = touch_sig == SIGBUS ? "SIGBUS" : "SIGSEGV";
    } else if (!strcmp(op, "MUNMAP")) {
      sscanf(line, "%*s %lx %lu", &a, &b);
      res = munmap((void *)a, b) < 0 ? errname(errno) : "ok";
    } else if (!strcmp(op, "ODIRECT")) {
      sscanf(line, "%*s %lu %lx %lu", &c, &a, &b);
      ssize_t n = pread((int)c, (void *)a, b, 0);
      if (n < 0) res = errname(errno);
      else if ((unsigned long)n == b) res = "ok";
      else {
        static char sb[48];
        snprintf(sb, sizeof sb, "short:%zd", n);
        res = sb;
      }
    } else if (!strcmp(op, "HOLD")) {
      sscanf(line, "%*s %lu %lu %lx %lu", &d, &c, &a, &b);
      res = do_hold((int)d, (int)c, a, b);
    } else if (!strcmp(op, "RELEASE")) {
      sscanf(line, "%*s %lu", &d);
      res = do_release((int)d);
    } else if (!strcmp(op, "VMSPLICE")) {
      sscanf(line, "%*s %lx %lu", &a, &b);
      res = do_vmsplice(a, b);
    } else if (!strcmp(op, "URING")) {
      sscanf(line, "%*s %lu %lx %lu", &c, &a, &b);
      res = do_uring_register((int)c, a, b);
    } else if (!strcmp(op, "UNURING")) {
      sscanf(line, "%*s %lu", &c);
      if (c < MAXPIN && rings[c].used) {
        close(rings[c].fd);
        rings[c].used = 0;
      }
      res = "ok";
    } else if (!strcmp(op, "FORK")) {
      sscanf(line, "%*s %255s %255s", s1, s2);
      pid_t pid = fork();
      if (pid < 0) res = errname(errno);
      else if (pid == 0) {
        /* the child drops the parent's channel before opening its own, so the parent's reply FIFO
           reaches EOF exactly when the parent's address space is gone */
        close(cmd);
        close(rep);
        /* the parent's held I/O threads were not copied: they are the parent's to join */
        memset(helds, 0, sizeof helds);
        if (worker_open(s1, s2, &cmd, &rep) < 0) _exit(112);
        wr_all(rep, "R ready\n");
        continue;
      } else {
        snprintf(reply, sizeof reply, "R ok %d\n", (int)pid);
        wr_all(rep, reply);
        continue;
      }
    } else if (!strcmp(op, "EXIT")) {
      /* an exiting process cannot leave its I/O behind on the lab: held pins complete first */
      for (int i = 0; i < MAXPIN; i++)
        if (helds[i].used) pthread_join(helds[i].th, NULL);
      _exit(0);
    }
    snprintf(reply, sizeof reply, "R %s\n", res);
    wr_all(rep, reply);
  }
}

/* ------------------------------------------------------------------ scenario */

enum op { OP_KERNEL, OP_PAGE, OP_DEVICE, OP_PROCESS, OP_MMAP, OP_TOUCH, OP_PIN, OP_UNPIN, OP_FORK,
          OP_MUNMAP, OP_EXIT, OP_UNBIND };

struct stmt {
  int line;
  enum op op;
  char a[MAXNAME], b[MAXNAME], c[MAXNAME], d[MAXNAME]; /* names, by statement */
  unsigned long n1, n2;                                /* sizes / offsets */
  int has_n, private_, has_offset, longterm, nop2p;
  unsigned long offset;
};

static int parse_size(const char *t, unsigned long *v) {
  char *end;
  errno = 0;
  unsigned long x = strtoul(t, &end, 0);
  if (errno || end == t) return -1;
  if (*end == 'K' || *end == 'k') x <<= 10, end++;
  else if (*end == 'M' || *end == 'm') x <<= 20, end++;
  else if (*end == 'G' || *end == 'g') x <<= 30, end++;
  if (*end) return -1;
  *v = x;
  return 0;
}

static int tokenize(char *s, char **tok, int max) {
  int n = 0;
  char *h = strchr(s, '#');
  if (h) *h = 0;
  for (char *p = strtok(s, " \t\r\n"); p && n < max; p = strtok(NULL, " \t\r\n")) tok[n++] = p;
  return n;
}

static void cp(char *dst, const char *src) {
  snprintf(dst, MAXNAME, "%s", src);
}

/* returns 0, or -1 with msg set */
static int parse_stmt(char *text, int line, struct stmt *st, char *msg) {
  char *t[16];
  int n = tokenize(text, t, 16);
  memset(st, 0, sizeof *st);
  st->line = line;
  if (n == 0) return 1;
#define NEED(k)                                                                                    \
  do {                                                                                             \
    if (n < (k)) {                                                                                 \
      sprintf(msg, "too few words");                                                               \
      return -1;                                                                                   \
    }                                                                                              \
  } while (0)
#define SIZE(i, dst)                                                                               \
  do {                                                                                             \
    if (parse_size(t[i], &(dst)) < 0) {                                                            \
      sprintf(msg, "bad size '%.40s'", t[i]);                                                      \
      return -1;                                                                                   \
    }                                                                                              \
  } while (0)
  if (!strcmp(t[0], "kernel")) {
    NEED(2);
    st->op = OP_KERNEL;
    cp(st->a, t[1]);
    return 0;
  }
  if (!strcmp(t[0], "page")) {
    NEED(2);
    st->op = OP_PAGE;
    SIZE(1, st->n1);
    return 0;
  }
  if (!strcmp(t[0], "device")) {
    NEED(3);
    st->op = OP_DEVICE;
    cp(st->a, t[1]);
    SIZE(2, st->n1);
    return 0;
  }
  if (!strcmp(t[0], "process")) {
    NEED(2);
    st->op = OP_PROCESS;
    cp(st->a, t[1]);
    return 0;
  }
  if (!strcmp(t[0], "unpin")) {
    NEED(2);
    st->op = OP_UNPIN;
    cp(st->a, t[1]);
    return 0;
  }
  if (!strcmp(t[0], "unbind")) {
    NEED(2);
    st->op = OP_UNBIND;
    cp(st->a, t[1]);
    return 0;
  }
  NEED(2);
  cp(st->a, t[0]); /* process */
  const char *verb = t[1];
  if (!strcmp(verb, "mmap")) {
    NEED(5);
    st->op = OP_MMAP;
    cp(st->b, t[2]); /* label */
    cp(st->c, t[3]); /* device */
    SIZE(4, st->n1);
    for (int i = 5; i < n; i++) {
      if (!strcmp(t[i], "private")) st->private_ = 1;
      else if (!strncmp(t[i], "offset=", 7)) {
        if (parse_size(t[i] + 7, &st->offset) < 0) {
          sprintf(msg, "bad offset");
          return -1;
        }
        st->has_offset = 1;
      } else {
        sprintf(msg, "unknown mmap option '%.40s'", t[i]);
        return -1;
      }
    }
    return 0;
  }
  if (!strcmp(verb, "touch")) {
    NEED(4);
    st->op = OP_TOUCH;
    cp(st->b, t[2]);
    SIZE(3, st->n1);
    return 0;
  }
  if (!strcmp(verb, "pin")) {
    NEED(6);
    st->op = OP_PIN;
    cp(st->d, t[2]); /* pin name */
    cp(st->b, t[3]); /* label */
    SIZE(4, st->n1);
    SIZE(5, st->n2);
    for (int i = 6; i < n; i++) {
      if (!strcmp(t[i], "longterm")) st->longterm = 1;
      else if (!strcmp(t[i], "nop2p")) st->nop2p = 1;
      else {
        sprintf(msg, "unknown pin option '%.40s'", t[i]);
        return -1;
      }
    }
    return 0;
  }
  if (!strcmp(verb, "fork")) {
    NEED(3);
    st->op = OP_FORK;
    cp(st->b, t[2]);
    return 0;
  }
  if (!strcmp(verb, "munmap")) {
    NEED(3);
    st->op = OP_MUNMAP;
    cp(st->b, t[2]);
    if (n >= 5) {
      SIZE(3, st->n1);
      SIZE(4, st->n2);
      st->has_n = 1;
    }
    return 0;
  }
  if (!strcmp(verb, "exit")) {
    st->op = OP_EXIT;
    return 0;
  }
  sprintf(msg, "unknown statement '%.40s'", verb);
  return -1;
}

/* ------------------------------------------------------------------ controller */

struct device {
  char name[MAXNAME];
  int declared;
  int unbound;
  unsigned long size;      /* scenario size */
  unsigned long cmb;       /* p2pmem size */
  char bdf[32];
  char ns[64];             /* /dev/nvmeXn1 */
  int allocfd;             /* p2pmem/allocate, O_RDWR, inherited by every worker */
  int nsfd;                /* namespace, O_RDONLY|O_DIRECT, inherited by every worker */
  char slowns[64];         /* the peer controller's throttled namespace (nsid 2+i) for held pins */
  int slowfd;
  int unbinding;           /* an unbind write is in flight (blocked) */
  pthread_t unbind_th;
  volatile int unbind_done;
  int unbind_err;
  double unbind_t0, unbind_t1;
  void *filler;
  unsigned long fillerlen;
};

struct label {
  char name[MAXNAME];
  unsigned long addr, len;
  int dev;
};

struct proc {
  char name[MAXNAME];
  int alive;
  int cmd, rep; /* controller ends */
  int nlabels;
  struct label labels[MAXLABEL];
};

struct pin {
  char name[MAXNAME];
  int proc;
  int ring; /* io_uring slot held by the worker, or -1 */
  int held; /* held O_DIRECT slot in the worker, or -1 */
};

static struct device devs[MAXDEV];
static int ndevs;
static struct proc *procs[MAXPROC];
static int nprocs;
static struct pin pins[MAXPIN];
static int npins;
static unsigned long next_slot;
static int spare_nsfd = -1;
static char peer_ns[MAXDEV + 1][64]; /* the peer controller's namespaces, by nsid */
static int have_debug;
static int fifo_seq;

static int read_file(const char *path, char *buf, int max) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  int n = (int)read(fd, buf, (size_t)max - 1);
  int e = errno;
  close(fd);
  if (n < 0) {
    errno = e;
    return -1;
  }
  buf[n] = 0;
  return n;
}

static int find_dev(const char *name) {
  for (int i = 0; i < ndevs; i++)
    if (!strcmp(devs[i].name, name)) return i;
  return -1;
}

static int find_proc(const char *name) {
  for (int i = 0; i < nprocs; i++)
    if (!strcmp(procs[i]->name, name)) return i;
  return -1;
}

static struct label *find_label(struct proc *p, const char *name) {
  for (int i = 0; i < p->nlabels; i++)
    if (!strcmp(p->labels[i].name, name)) return &p->labels[i];
  return NULL;
}

static double uptime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The disk of controller CTRL (e.g. "nvme0") whose namespace id is NSID, into OUT ("/dev/nvme0n1").
   Disk names count namespaces in probe order, which need not be nsid order. */
static int ns_path(const char *ctrl, int nsid, char *out, size_t outlen) {
  char path[256];
  snprintf(path, sizeof path, "/sys/class/nvme/%s", ctrl);
  DIR *d = opendir(path);
  if (!d) return -1;
  struct dirent *e;
  int ok = -1;
  size_t cl = strlen(ctrl);
  while ((e = readdir(d))) {
    if (strncmp(e->d_name, ctrl, cl) || e->d_name[cl] != 'n') continue;
    char nsf[320], buf[32];
    snprintf(nsf, sizeof nsf, "/sys/block/%s/nsid", e->d_name);
    if (read_file(nsf, buf, sizeof buf) < 0 || atoi(buf) != nsid) continue;
    snprintf(out, outlen, "/dev/%s", e->d_name);
    struct stat sb;
    if (stat(out, &sb) == 0) ok = 0;
    break;
  }
  closedir(d);
  return ok;
}

/* The NVMe controllers, by serial: "p2pviz-dev<i>" or "p2pviz-peer". */
static int discover(int want) {
  int found = 0, peer = 0;
  for (int tries = 0; tries < 200; tries++) { /* nvme probes asynchronously: wait up to 10 s */
    found = 0;
    peer = 0;
    DIR *d = opendir("/sys/class/nvme");
    if (d) {
      struct dirent *e;
      while ((e = readdir(d))) {
        if (strncmp(e->d_name, "nvme", 4)) continue;
        char path[256], serial[128], link[256], bdfpath[256];
        snprintf(path, sizeof path, "/sys/class/nvme/%s/serial", e->d_name);
        if (read_file(path, serial, sizeof serial) < 0) continue;
        serial[strcspn(serial, " \n")] = 0;
        snprintf(path, sizeof path, "/sys/class/nvme/%s/device", e->d_name);
        ssize_t ln = readlink(path, link, sizeof link - 1);
        if (ln < 0) continue;
        link[ln] = 0;
        const char *bdf = strrchr(link, '/');
        bdf = bdf ? bdf + 1 : link;
        if (!strcmp(serial, "p2pviz-peer")) {
          int all = ns_path(e->d_name, 1, peer_ns[0], sizeof peer_ns[0]) == 0;
          for (int i = 0; i < want && all; i++)
            all = ns_path(e->d_name, 2 + i, peer_ns[1 + i], sizeof peer_ns[1 + i]) == 0;
          if (all) peer = 1;
          continue;
        }
        char ns[64];
        if (ns_path(e->d_name, 1, ns, sizeof ns) < 0) continue;
        int i;
        if (sscanf(serial, "p2pviz-dev%d", &i) != 1 || i < 0 || i >= MAXDEV) continue;
        snprintf(bdfpath, sizeof bdfpath, "/sys/bus/pci/devices/%s/p2pmem/size", bdf);
        char sz[64];
        if (read_file(bdfpath, sz, sizeof sz) < 0) continue;
        snprintf(devs[i].bdf, sizeof devs[i].bdf, "%s", bdf);
        snprintf(devs[i].ns, sizeof devs[i].ns, "%s", ns);
        devs[i].cmb = strtoul(sz, NULL, 10);
        found++;
      }
      closedir(d);
    }
    if (found >= want && peer) {
      spare_nsfd = open(peer_ns[0], O_RDONLY | O_DIRECT);
      for (int i = 0; i < want; i++) snprintf(devs[i].slowns, sizeof devs[i].slowns, "%s", peer_ns[1 + i]);
      return found;
    }
    usleep(50000);
  }
  return peer ? found : -1;
}

static long read_avail(int i) {
  char path[256], buf[64];
  snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/p2pmem/available", devs[i].bdf);
  if (read_file(path, buf, sizeof buf) < 0) return -1;
  return strtol(buf, NULL, 10);
}

static void report(int line, const char *result) {
  char buf[4096];
  int n = snprintf(buf, sizeof buf, "P2PRUN STEP %d %s", line, result);
  for (int i = 0; i < ndevs; i++) {
    if (!devs[i].declared) continue;
    long a = read_avail(i);
    /* A blocked unbind has zapped every mapping of the device, the lab's filler too: its pages
       (past the scenario's size) are back in the pool, and are not the scenario's. */
    if (a >= 0 && devs[i].unbinding && devs[i].filler) a -= (long)devs[i].fillerlen;
    if (a < 0) n += snprintf(buf + n, sizeof buf - (size_t)n, " %s=gone", devs[i].name);
    else n += snprintf(buf + n, sizeof buf - (size_t)n, " %s=%ld", devs[i].name, a);
  }
  out("%s\n", buf);
  if (!have_debug) return;
  for (int i = 0; i < ndevs; i++) {
    if (!devs[i].declared) continue;
    char path[256];
    static char dbg[8192];
    snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/p2pmem/debug_pages", devs[i].bdf);
    if (read_file(path, dbg, sizeof dbg) < 0) {
      out("P2PRUN REFS %d %s gone\n", line, devs[i].name);
      continue;
    }
    dbg[strcspn(dbg, "\n")] = 0;
    /* "chunk pages=N avail=A used R R R" -> the runs */
    char *used = strstr(dbg, " used");
    if (devs[i].unbinding && devs[i].filler) /* the free-page tally counts the zapped filler's pages */
      out("P2PRUN REFS %d %s%s filler=%lu\n", line, devs[i].name, used ? used + 5 : " ?",
          devs[i].fillerlen / PAGE);
    else out("P2PRUN REFS %d %s%s\n", line, devs[i].name, used ? used + 5 : " ?");
  }
}

/* sends one command and reads "R <result>"; returns the result (static), "DIED" on EOF */
static const char *call(struct proc *p, const char *fmt, ...) {
  char buf[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  strcat(buf, "\n");
  if (wr_all(p->cmd, buf) < 0) return "DIED";
  static char line[600];
  if (rd_line(p->rep, line, sizeof line) <= 0) return "DIED";
  if (strncmp(line, "R ", 2)) return "DIED";
  return line + 2;
}

static int make_fifos(char *cmdp, char *repp) {
  sprintf(cmdp, "/tmp/p2p-cmd-%d", fifo_seq);
  sprintf(repp, "/tmp/p2p-rep-%d", fifo_seq);
  fifo_seq++;
  if (mkfifo(cmdp, 0600) < 0 || mkfifo(repp, 0600) < 0) return -1;
  return 0;
}

static int open_channel(struct proc *p, const char *cmdp, const char *repp) {
  p->cmd = open(cmdp, O_WRONLY | O_CLOEXEC);
  if (p->cmd < 0) return -1;
  p->rep = open(repp, O_RDONLY | O_CLOEXEC);
  if (p->rep < 0) return -1;
  char line[64];
  if (rd_line(p->rep, line, sizeof line) <= 0 || strcmp(line, "R ready")) return -1;
  return 0;
}

static struct proc *new_proc(const char *name) {
  struct proc *p = calloc(1, sizeof *p);
  cp(p->name, name);
  p->alive = 1;
  procs[nprocs++] = p;
  return p;
}

static const char *self_path = "/p2prun";

static const char *do_process(struct stmt *st) {
  char cmdp[64], repp[64];
  if (make_fifos(cmdp, repp) < 0) return errname(errno);
  struct proc *p = new_proc(st->a);
  char *argv[] = {(char *)self_path, "--worker", cmdp, repp, NULL};
  pid_t pid;
  /* posix_spawn uses CLONE_VM|CLONE_VFORK: the controller's own p2pmem (the fillers) is never copied */
  int e = posix_spawn(&pid, self_path, NULL, NULL, argv, environ);
  if (e) return errname(e);
  if (open_channel(p, cmdp, repp) < 0) return "DIED";
  return "ok";
}

static const char *do_device(struct stmt *st, int idx) {
  struct device *d = &devs[idx];
  cp(d->name, st->a);
  d->size = st->n1;
  d->declared = 1;
  if (!d->bdf[0]) return "NODEV";
  if (d->size > d->cmb) return "TOOBIG";
  if (d->size < d->cmb) {
    /* make the pool exactly the scenario's size: take pages [size, cmb) with a filler */
    void *a = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, d->allocfd, 0);
    if (a == MAP_FAILED) return errname(errno);
    d->fillerlen = d->cmb - d->size;
    d->filler = mmap(NULL, d->fillerlen, PROT_READ | PROT_WRITE, MAP_SHARED, d->allocfd, 0);
    if (d->filler == MAP_FAILED) return errname(errno);
    madvise(d->filler, d->fillerlen, MADV_DONTFORK);
    munmap(a, d->size);
    out("P2PRUN FILLER %s cmb=%lu size=%lu pages=%lu-%lu\n", d->name, d->cmb, d->size,
        d->size / PAGE, d->cmb / PAGE - 1);
  }
  return "ok";
}

static const char *do_mmap(struct stmt *st, char *err) {
  int pi = find_proc(st->a);
  int di = find_dev(st->c);
  if (pi < 0 || di < 0) {
    sprintf(err, "undefined process or device");
    return NULL;
  }
  struct proc *p = procs[pi];
  if (p->nlabels >= MAXLABEL) {
    sprintf(err, "too many labels");
    return NULL;
  }
  struct label *l = &p->labels[p->nlabels++];
  cp(l->name, st->b);
  l->addr = SLOT_BASE + SLOT_STRIDE * next_slot;
  l->len = (st->n1 + PAGE - 1) & ~(PAGE - 1);
  next_slot += 1 + l->len / SLOT_STRIDE;
  l->dev = di;
  return call(p, "MMAP %lx %lu %d %lu %d", l->addr, st->n1, st->private_ ? 0 : 1,
              st->has_offset ? st->offset : 0UL, devs[di].allocfd);
}

static int lookup(struct stmt *st, struct proc **pp, struct label **ll, char *err) {
  int pi = find_proc(st->a);
  if (pi < 0) {
    sprintf(err, "undefined process %s", st->a);
    return -1;
  }
  *pp = procs[pi];
  *ll = find_label(*pp, st->b);
  if (!*ll) {
    sprintf(err, "undefined mapping %s in %s", st->b, st->a);
    return -1;
  }
  return 0;
}

static const char *do_pin(struct stmt *st, int next_is_unpin, char *err) {
  struct proc *p;
  struct label *l;
  if (lookup(st, &p, &l, err) < 0) return NULL;
  if (npins >= MAXPIN) {
    sprintf(err, "too many pins");
    return NULL;
  }
  struct pin *pn = &pins[npins];
  cp(pn->name, st->d);
  pn->proc = find_proc(st->a);
  pn->ring = -1;
  pn->held = -1;
  unsigned long addr = l->addr + st->n1;
  if (st->longterm && !st->nop2p) {
    npins++;
    return "UNSUPPORTED";
  }
  const char *r;
  if (st->longterm) {
    /* FOLL_LONGTERM without FOLL_PCI_P2PDMA: io_uring fixed buffers, held until `unpin` */
    r = call(p, "URING %d %lx %lu", npins, addr, st->n2);
    if (!strcmp(r, "ok")) pn->ring = npins;
  } else if (st->nop2p) {
    /* GUP without FOLL_PCI_P2PDMA: vmsplice; the references are dropped when the pipe drains */
    r = call(p, "VMSPLICE %lx %lu", addr, st->n2);
  } else {
    /* FOLL_PIN|FOLL_PCI_P2PDMA: an O_DIRECT read into the range. Released by the very next
       statement: pinned and unpinned in one pread. Otherwise: held in flight until `unpin`. */
    if (devs[l->dev].unbound) {
      r = call(p, "ODIRECT %d %lx %lu", spare_nsfd, addr, st->n2);
    } else if (next_is_unpin) {
      r = call(p, "ODIRECT %d %lx %lu", devs[l->dev].nsfd, addr, st->n2);
    } else {
      r = call(p, "HOLD %d %d %lx %lu", npins, devs[l->dev].slowfd, addr, st->n2);
      if (!strcmp(r, "ok")) {
        pn->held = npins;
        out("P2PRUN HELD %d pin %s in flight (O_DIRECT from the peer controller's %s, throttled)\n", st->line, pn->name,
            devs[l->dev].slowns);
      }
    }
  }
  npins++;
  return r;
}

static const char *do_unpin(struct stmt *st, char *err) {
  for (int i = 0; i < npins; i++) {
    if (strcmp(pins[i].name, st->a)) continue;
    if (pins[i].held >= 0) {
      struct proc *p = procs[pins[i].proc];
      int slot = pins[i].held;
      pins[i].held = -1;
      if (p->alive) {
        const char *r = call(p, "RELEASE %d", slot);
        const char *io = strstr(r, "io=");
        if (io && strcmp(io, "io=ok")) out("P2PRUN NOTE %d the held I/O of pin %s ended with %s\n", st->line, st->a, io + 3);
        return "ok";
      }
      return "ok";
    }
    if (pins[i].ring >= 0) {
      struct proc *p = procs[pins[i].proc];
      int slot = pins[i].ring;
      pins[i].ring = -1;
      if (p->alive) return call(p, "UNURING %d", slot);
    }
    return "ok";
  }
  sprintf(err, "undefined pin %s", st->a);
  return NULL;
}

static const char *do_fork(struct stmt *st, char *err) {
  int pi = find_proc(st->a);
  if (pi < 0) {
    sprintf(err, "undefined process %s", st->a);
    return NULL;
  }
  struct proc *parent = procs[pi];
  char cmdp[64], repp[64];
  if (make_fifos(cmdp, repp) < 0) return errname(errno);
  char buf[600];
  snprintf(buf, sizeof buf, "FORK %s %s\n", cmdp, repp);
  if (wr_all(parent->cmd, buf) < 0) return "DIED";
  struct proc *c = new_proc(st->b);
  c->nlabels = parent->nlabels;
  memcpy(c->labels, parent->labels, sizeof c->labels);
  if (open_channel(c, cmdp, repp) < 0) return "DIED";
  static char line[128];
  if (rd_line(parent->rep, line, sizeof line) <= 0) return "DIED";
  if (strncmp(line, "R ok", 4)) return line + 2;
  return "ok";
}

static const char *do_exit(struct stmt *st, char *err) {
  int pi = find_proc(st->a);
  if (pi < 0) {
    sprintf(err, "undefined process %s", st->a);
    return NULL;
  }
  struct proc *p = procs[pi];
  wr_all(p->cmd, "EXIT\n");
  /* EOF on the reply FIFO: the worker's files are closed, which do_exit() does after exit_mm() */
  char line[128];
  while (rd_line(p->rep, line, sizeof line) > 0) {
  }
  close(p->cmd);
  close(p->rep);
  p->alive = 0;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  return "ok";
}

static void *unbind_thread(void *arg) {
  struct device *d = arg;
  int fd = open("/sys/bus/pci/drivers/nvme/unbind", O_WRONLY);
  int e = 0;
  if (fd < 0) e = errno;
  else {
    if (write(fd, d->bdf, strlen(d->bdf)) < 0) e = errno;
    close(fd);
  }
  d->unbind_err = e;
  d->unbind_t1 = uptime();
  __atomic_store_n(&d->unbind_done, 1, __ATOMIC_RELEASE);
  return NULL;
}

/* Waits up to MS for the unbind of device I to return; reports it once it has. */
static int unbind_wait(int i, int ms, int line) {
  struct device *d = &devs[i];
  for (int t = 0; t < ms && !__atomic_load_n(&d->unbind_done, __ATOMIC_ACQUIRE); t += 5) usleep(5000);
  if (!__atomic_load_n(&d->unbind_done, __ATOMIC_ACQUIRE)) return 0;
  pthread_join(d->unbind_th, NULL);
  if (d->unbinding)
    out("P2PRUN UNBOUND %d %s %s after %.0f ms\n", line, d->name, errname(d->unbind_err),
        (d->unbind_t1 - d->unbind_t0) * 1000);
  d->unbinding = 0;
  return 1;
}

/* After a statement that may drop the last pin of a blocked unbind: let that unbind finish. */
static void settle_unbinds(int line, int ms) {
  for (int i = 0; i < ndevs; i++)
    if (devs[i].unbinding) unbind_wait(i, ms, line);
}

static const char *do_unbind(struct stmt *st, char *err) {
  int di = find_dev(st->a);
  if (di < 0) {
    sprintf(err, "undefined device %s", st->a);
    return NULL;
  }
  struct device *d = &devs[di];
  d->unbind_done = 0;
  d->unbind_t0 = uptime();
  if (pthread_create(&d->unbind_th, NULL, unbind_thread, d)) return "EAGAIN";
  if (!unbind_wait(di, UNBIND_WAIT_MS, st->line)) {
    /* the write has not returned: the driver's remove path waits (memunmap_pages for a pin) */
    d->unbinding = 1;
    d->unbound = 1;
    out("P2PRUN TIMING unbind %s blocked (no return after %d ms)\n", d->name, UNBIND_WAIT_MS);
    if (d->filler)
      out("P2PRUN NOTE %d the blocked unbind zapped the lab's filler mapping of %s: its %lu pages are free again and are left out of 'available' and of the free-page counts\n",
          st->line, d->name, d->fillerlen / PAGE);
    return "blocked";
  }
  if (d->unbind_err) return errname(d->unbind_err);
  d->unbound = 1;
  out("P2PRUN TIMING unbind %s %.0f ms\n", d->name, (d->unbind_t1 - d->unbind_t0) * 1000);
  return "ok";
}

static void dump_dmesg(void) {
  static char buf[1 << 17];
  int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof buf - 1);
  if (n <= 0) return;
  buf[n] = 0;
  for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
    if (strstr(l, "p2p") || strstr(l, "peer-to-peer") || strstr(l, "ACS redirect") || strstr(l, "WARNING") || strstr(l, "BUG") || strstr(l, "Oops") ||
        strstr(l, "nvme") || strstr(l, "I/O error"))
      out("P2PRUN DMESG %s\n", l);
  }
}

/*
 * A probe outside the language, run after the last statement when the scenario text contains
 * "p2prun: probe mixed-odirect": one O_DIRECT preadv from the first device's own namespace into
 * [one p2pmem page, one host page], and into [host, p2pmem]. 6.12.117 failed it with EIO (QEMU's
 * NVMe returned status 0x12 for the mixed SGL); 7.3 maps the segments one by one.
 */
static int want_mixed_probe;

static void probe_mixed(void) {
  struct device *d = &devs[0];
  if (!want_mixed_probe || !d->bdf[0] || d->unbound) return;
  void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, d->allocfd, 0);
  void *h = NULL;
  if (p == MAP_FAILED || posix_memalign(&h, PAGE, PAGE)) {
    out("P2PRUN PROBE mixed-odirect cannot map a p2pmem page: %s\n", strerror(errno));
    return;
  }
  for (int order = 0; order < 2; order++) {
    struct iovec iov[2] = {{order ? h : p, PAGE}, {order ? p : h, PAGE}};
    ssize_t n = preadv(d->nsfd, iov, 2, 0);
    const char *r = n < 0 ? errname(errno) : n == (ssize_t)(2 * PAGE) ? "ok" : "short";
    out("P2PRUN PROBE mixed-odirect %s %s\n", order ? "host+p2pmem" : "p2pmem+host", r);
  }
  munmap(p, PAGE);
  free(h);
}

static void finish(int code) {
  if (code == 0) probe_mixed();
  /* a blocked unbind finishes once the held I/O completes (the throttle's delay at most) */
  for (int i = 0; i < ndevs; i++)
    if (devs[i].unbinding && !unbind_wait(i, 60000, 0))
      out("P2PRUN NOTE 0 the unbind of %s had not returned 60 s after the scenario ended\n", devs[i].name);
  dump_dmesg();
  out("P2PRUN END %d uptime=%.2f\n", code, uptime());
  sync();
  if (getpid() == 1) reboot(RB_POWER_OFF);
  exit(code);
}

static char *load_scenario(const char *path) {
  static char text[1 << 20];
  int n = read_file(path, text, sizeof text);
  if (n >= 0) return text;
  /* fallback: p2prun.text="..." on the kernel command line, statements separated by ';' */
  static char cmdline[4096];
  if (read_file("/proc/cmdline", cmdline, sizeof cmdline) < 0) return NULL;
  char *s = strstr(cmdline, "p2prun.text=\"");
  if (!s) return NULL;
  s += 13;
  char *e = strchr(s, '"');
  if (!e) return NULL;
  *e = 0;
  for (char *c = s; *c; c++)
    if (*c == ';') *c = '\n';
  return s;
}

int main(int argc, char **argv) {
  if (argc >= 4 && !strcmp(argv[1], "--worker")) return worker_main(argv[2], argv[3]);
  const char *path = argc >= 2 ? argv[1] : "/scenario.p2p";
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, NULL, _IONBF, 0);
  struct utsname u;
  uname(&u);
  out("P2PRUN KERNEL %s\n", u.release);
  out("P2PRUN UP %.2f\n", uptime());
  char *text = load_scenario(path);
  if (!text) {
    out("P2PRUN FATAL 0 no scenario (%s or p2prun.text=)\n", path);
    finish(2);
  }
  want_mixed_probe = strstr(text, "p2prun: probe mixed-odirect") != NULL;
  /* parse everything first: a statement the lab cannot run stops the run before anything happens */
  static struct stmt stmts[4096];
  int nst = 0, line = 0;
  char *save = NULL;
  for (char *l = text; l; l = save) {
    save = strchr(l, '\n');
    if (save) *save++ = 0;
    line++;
    char msg[128] = "";
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", l);
    int r = parse_stmt(copy, line, &stmts[nst], msg);
    if (r < 0) {
      out("P2PRUN FATAL %d %s\n", line, msg);
      finish(2);
    }
    if (r == 0) {
      struct stmt *st = &stmts[nst];
      if (st->op == OP_KERNEL && strcmp(st->a, "upstream")) {
        out("P2PRUN FATAL %d design '%s': the real kernel implements only 'upstream'\n", line, st->a);
        finish(2);
      }
      if (st->op == OP_PAGE && st->n1 != PAGE) {
        out("P2PRUN FATAL %d page size %lu: x86-64 has 4K pages only\n", line, st->n1);
        finish(2);
      }
      if (st->op == OP_DEVICE) {
        if (ndevs >= MAXDEV) {
          out("P2PRUN FATAL %d too many devices\n", line);
          finish(2);
        }
        cp(devs[ndevs].name, st->a);
        ndevs++;
      }
      if (++nst >= 4096) {
        out("P2PRUN FATAL %d too many statements\n", line);
        finish(2);
      }
    }
  }
  int found = discover(ndevs);
  if (found < 0) {
    out("P2PRUN FATAL 0 the peer NVMe controller (serial p2pviz-peer) with %d namespaces was not found\n",
        ndevs + 1);
    finish(3);
  }
  if (found < ndevs) {
    out("P2PRUN FATAL 0 found %d NVMe controllers with p2pmem, the scenario declares %d\n", found,
        ndevs);
    finish(3);
  }
  struct stat sb;
  /* open everything up front: workers inherit these, so an mmap after unbind gives ENODEV */
  for (int i = 0; i < ndevs; i++) {
    char p[256];
    snprintf(p, sizeof p, "/sys/bus/pci/devices/%s/p2pmem/allocate", devs[i].bdf);
    devs[i].allocfd = open(p, O_RDWR);
    devs[i].nsfd = open(devs[i].ns, O_RDONLY | O_DIRECT);
    devs[i].slowfd = open(devs[i].slowns, O_RDONLY | O_DIRECT);
    if (devs[i].allocfd < 0 || devs[i].nsfd < 0 || devs[i].slowfd < 0) {
      out("P2PRUN FATAL 0 cannot open %s or %s: %s\n", p, devs[i].ns, strerror(errno));
      finish(3);
    }
    out("P2PRUN DEVICE %s bdf=%s ns=%s cmb=%lu\n", devs[i].name, devs[i].bdf, devs[i].ns, devs[i].cmb);
    snprintf(p, sizeof p, "/sys/bus/pci/devices/%s/p2pmem/debug_pages", devs[i].bdf);
    if (stat(p, &sb) == 0) have_debug = 1;
  }
  out("P2PRUN DEBUG_PAGES %d\n", have_debug);
  out("P2PRUN START %.2f\n", uptime());
  int devseen = 0;
  for (int i = 0; i < nst; i++) {
    struct stmt *st = &stmts[i];
    char err[160] = "";
    const char *r = NULL;
    char rbuf[64];
    switch (st->op) {
    case OP_KERNEL:
    case OP_PAGE: r = "ok"; break;
    case OP_DEVICE: r = do_device(st, devseen++); break;
    case OP_PROCESS: r = do_process(st); break;
    case OP_MMAP: r = do_mmap(st, err); break;
    case OP_TOUCH: {
      struct proc *p;
      struct label *l;
      if (lookup(st, &p, &l, err) == 0) r = call(p, "TOUCH %lx", l->addr + st->n1);
      break;
    }
    case OP_PIN: {
      int next_unpin = i + 1 < nst && stmts[i + 1].op == OP_UNPIN && !strcmp(stmts[i + 1].a, st->d);
      r = do_pin(st, next_unpin, err);
      break;
    }
    case OP_UNPIN:
      r = do_unpin(st, err);
      settle_unbinds(st->line, UNBIND_SETTLE_MS);
      break;
    case OP_FORK: r = do_fork(st, err); break;
    case OP_MUNMAP: {
      struct proc *p;
      struct label *l;
      if (lookup(st, &p, &l, err) == 0) {
        if (st->has_n) r = call(p, "MUNMAP %lx %lu", l->addr + st->n1, st->n2);
        else r = call(p, "MUNMAP %lx %lu", l->addr, l->len ? l->len : PAGE);
      }
      break;
    }
    case OP_EXIT:
      r = do_exit(st, err);
      settle_unbinds(st->line, UNBIND_SETTLE_MS);
      break;
    case OP_UNBIND: r = do_unbind(st, err); break;
    }
    if (!r) {
      out("P2PRUN FATAL %d %s\n", st->line, err);
      finish(2);
    }
    snprintf(rbuf, sizeof rbuf, "%s", r);
    rbuf[strcspn(rbuf, " \n")] = 0;
    report(st->line, rbuf);
  }
  finish(0);
  return 0;
}
