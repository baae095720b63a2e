//! wasi:cli: arguments, environment, exit, standard streams, terminals.

use super::bindings::wasi::cli::{
    environment, exit, stderr, stdin, stdout, terminal_input, terminal_output, terminal_stderr,
    terminal_stdin, terminal_stdout,
};
use super::console::{ConsoleIn, ConsoleOut};
use super::ctx::Ctx;
use crate::wasi::state::Exit;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use wasmtime::component::Resource;
use wasmtime_wasi_io::streams::{DynInputStream, DynOutputStream};

impl environment::Host for Ctx {
    fn get_environment(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        Ok(self.state.env.clone())
    }
    fn get_arguments(&mut self) -> wasmtime::Result<Vec<String>> {
        Ok(self.state.args.clone())
    }
    fn initial_cwd(&mut self) -> wasmtime::Result<Option<String>> {
        // No working directory: paths resolve against preopens only, as in
        // wasmtime-wasi.
        Ok(None)
    }
}

impl exit::Host for Ctx {
    fn exit(&mut self, status: Result<(), ()>) -> wasmtime::Result<()> {
        Err(wasmtime::Error::new(Exit(if status.is_ok() {
            0
        } else {
            1
        })))
    }
    fn exit_with_code(&mut self, status_code: u8) -> wasmtime::Result<()> {
        Err(wasmtime::Error::new(Exit(status_code.into())))
    }
}

impl stdin::Host for Ctx {
    fn get_stdin(&mut self) -> wasmtime::Result<Resource<DynInputStream>> {
        let stream: DynInputStream = Box::new(ConsoleIn::new());
        Ok(self.table.push(stream)?)
    }
}

impl stdout::Host for Ctx {
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<DynOutputStream>> {
        let stream: DynOutputStream = Box::new(ConsoleOut { stream: 1 });
        Ok(self.table.push(stream)?)
    }
}

impl stderr::Host for Ctx {
    fn get_stderr(&mut self) -> wasmtime::Result<Resource<DynOutputStream>> {
        let stream: DynOutputStream = Box::new(ConsoleOut { stream: 2 });
        Ok(self.table.push(stream)?)
    }
}

// The console is not a terminal as far as guests can tell: the platform
// offers no terminal control, so every `get-terminal-*` answers none and no
// terminal resource is ever created.

impl terminal_input::Host for Ctx {}
impl terminal_input::HostTerminalInput for Ctx {
    fn drop(&mut self, rep: Resource<terminal_input::TerminalInput>) -> wasmtime::Result<()> {
        self.table.delete(rep)?;
        Ok(())
    }
}
impl terminal_output::Host for Ctx {}
impl terminal_output::HostTerminalOutput for Ctx {
    fn drop(&mut self, rep: Resource<terminal_output::TerminalOutput>) -> wasmtime::Result<()> {
        self.table.delete(rep)?;
        Ok(())
    }
}
impl terminal_stdin::Host for Ctx {
    fn get_terminal_stdin(
        &mut self,
    ) -> wasmtime::Result<Option<Resource<terminal_input::TerminalInput>>> {
        Ok(None)
    }
}
impl terminal_stdout::Host for Ctx {
    fn get_terminal_stdout(
        &mut self,
    ) -> wasmtime::Result<Option<Resource<terminal_output::TerminalOutput>>> {
        Ok(None)
    }
}
impl terminal_stderr::Host for Ctx {
    fn get_terminal_stderr(
        &mut self,
    ) -> wasmtime::Result<Option<Resource<terminal_output::TerminalOutput>>> {
        Ok(None)
    }
}
