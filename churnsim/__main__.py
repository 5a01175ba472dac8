from churnsim.cli.main import main

main()
