// Command rosterflow-ferretdb runs FerretDB v1 (MongoDB wire protocol over SQLite) for the local
// stack. It embeds FerretDB's documented `ferretdb` package because FerretDB's own cmd/ferretdb
// panics when built with `go install` (it expects a generated version file).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data-dir", "data", "directory for the SQLite database files")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail(fmt.Errorf("invalid -log-level: %w", err))
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		fail(err)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	db, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		// WAL without a sync per commit (SQLite's recommended pairing): a write survives the
		// process crashing, as MongoDB's default (journal flushed every 100 ms) would have it; only
		// the machine losing power may take the last moment's writes. A sync per commit costs every
		// small write a disk flush: the build's page writes waited on them.
		SQLiteURL: "file:" + *dataDir + "/?_pragma=synchronous(normal)",
	})
	if err != nil {
		fail(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	// The stack waits for this line before it connects.
	fmt.Println("ready", db.MongoDBURI())
	if err := db.Run(ctx); err != nil && ctx.Err() == nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "rosterflow-ferretdb:", err)
	os.Exit(1)
}
